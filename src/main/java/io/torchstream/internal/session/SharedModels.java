package io.torchstream.internal.session;

import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.task.ShapePolicy;
import io.torchstream.internal.task.TextModel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One loaded model per bundle (and shape policy) per JVM and classloader, shared by the operators that
 * run it (the slots of a TaskManager): reference-counted, and closed when its last user releases it.
 * The first user of a bundle loads it while later users of the same bundle wait for that load; other
 * bundles load at the same time.
 */
public final class SharedModels {

    private static final Logger LOG = LoggerFactory.getLogger(SharedModels.class);

    private static final Map<Key, Entry> MODELS = new HashMap<>();

    private record Key(Path bundle, ShapePolicy shapes) {}

    private SharedModels() {}

    private static final class Entry {
        final CompletableFuture<TextModel> model = new CompletableFuture<>();
        final int threads;
        int users;

        Entry(int threads) {
            this.threads = threads;
        }
    }

    /** A user's hold on a model; closing it releases the hold once. */
    public static final class Lease implements AutoCloseable {
        private final Key key;
        private final Entry entry;
        private final TextModel model;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(Key key, Entry entry, TextModel model) {
            this.key = key;
            this.entry = entry;
            this.model = model;
        }

        public TextModel model() {
            return model;
        }

        /** Whether other users may hold the same model. */
        public boolean shared() {
            return entry != null;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                if (entry == null) {
                    model.close();
                } else {
                    release(key, entry);
                }
            }
        }
    }

    /** Loads a model for this user alone. */
    public static Lease own(Path bundle, int intraOpThreads, ShapePolicy shapes) {
        return new Lease(null, null, TextModel.open(ModelBundle.open(bundle), intraOpThreads, shapes));
    }

    /** A lease on a model the caller made (from parts, in tests): closing the lease closes the model. */
    public static Lease adopt(TextModel model) {
        return new Lease(null, null, model);
    }

    /** The TaskManager's model for this bundle, loaded by its first user. */
    public static Lease share(Path bundle, int intraOpThreads, ShapePolicy shapes) {
        Key key = new Key(bundle.toAbsolutePath().normalize(), shapes);
        Entry entry;
        boolean loads;
        synchronized (SharedModels.class) {
            entry = MODELS.get(key);
            loads = entry == null;
            if (loads) {
                entry = new Entry(intraOpThreads);
                MODELS.put(key, entry);
            }
            entry.users++;
        }
        if (loads) {
            try {
                entry.model.complete(TextModel.open(ModelBundle.open(key.bundle()), intraOpThreads, shapes));
            } catch (RuntimeException | Error e) {
                synchronized (SharedModels.class) {
                    // Whoever comes next loads again, rather than sharing this failure.
                    MODELS.remove(key, entry);
                }
                entry.model.completeExceptionally(e);
            }
        } else if (intraOpThreads != entry.threads) {
            LOG.warn(
                    "{} is shared and was loaded with {} libtorch threads; the {} asked for now cannot apply (libtorch"
                            + " reads its thread count once per process)",
                    key.bundle(),
                    entry.threads,
                    intraOpThreads);
        }
        try {
            return new Lease(key, entry, entry.model.join());
        } catch (CompletionException e) {
            release(key, entry);
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    private static void release(Key key, Entry entry) {
        TextModel toClose = null;
        synchronized (SharedModels.class) {
            if (--entry.users == 0 && MODELS.get(key) == entry) {
                MODELS.remove(key);
                toClose = entry.model.isCompletedExceptionally() ? null : entry.model.getNow(null);
            }
        }
        if (toClose != null) {
            toClose.close();
        }
    }

    /** Models currently loaded and shared (for tests and metrics). */
    public static synchronized int loaded() {
        return MODELS.size();
    }
}
