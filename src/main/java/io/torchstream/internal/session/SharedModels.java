package io.torchstream.internal.session;

import io.torchstream.internal.bundle.BundleManifest;
import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.runtime.NativeModels;
import io.torchstream.internal.task.ShapePolicy;
import io.torchstream.internal.task.TextModel;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One loaded model per bundle (and shape policy) per classloader, shared by the operators that run it (the
 * slots of a TaskManager): reference-counted, and let go of when its last user has released it. Its libtorch
 * module and tokenizer stay loaded in the JVM's {@link NativeModels} store for the keep-alive ({@value
 * #KEEP_ALIVE_PROPERTY}, milliseconds, default 30 s), keyed by the sha256 of the bundle's files: tasks
 * restarted by a failover, and, with torchstream-lib.jar in the TaskManager's lib/, a job submitted again,
 * find them loaded and warm. A bundle replaced at the same path has other sha256s, and loads afresh. The
 * first user of a bundle loads it while later users of the same bundle wait for that load; other bundles
 * load at the same time.
 */
public final class SharedModels {

    private static final Map<Key, Entry> MODELS = new HashMap<>();

    /** The JVM property that sets how long an unused model stays loaded, in milliseconds (0: none). */
    public static final String KEEP_ALIVE_PROPERTY = "torchstream.model.keep-alive-ms";

    private static volatile long keepAliveMillis = Long.getLong(KEEP_ALIVE_PROPERTY, 30_000L);

    // The model file's sha256 too: a bundle replaced at the same path while its old model is in use loads afresh.
    private record Key(Path bundle, String sha256, ShapePolicy shapes) {}

    private SharedModels() {}

    private static final class Entry {
        final CompletableFuture<TextModel> model = new CompletableFuture<>();
        int users;
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
            release(keepAliveMillis);
        }

        /**
         * Releases the hold for good: a model replaced by a newer version is closed as soon as its last user
         * lets go, without the keep-alive that serves tasks restarted on the same version.
         */
        public void retire() {
            release(0);
        }

        private void release(long keepAlive) {
            if (released.compareAndSet(false, true)) {
                if (entry == null) {
                    model.close();
                } else {
                    SharedModels.release(key, entry, keepAlive);
                }
            }
        }
    }

    /** Loads a model for this user alone. */
    public static Lease own(Path bundle, int intraOpThreads, ShapePolicy shapes) {
        return own(ModelBundle.open(bundle), intraOpThreads, shapes);
    }

    /** Loads a checked bundle for this user alone. */
    public static Lease own(ModelBundle bundle, int intraOpThreads, ShapePolicy shapes) {
        return new Lease(null, null, TextModel.open(bundle, intraOpThreads, shapes));
    }

    /** A lease on a model the caller made (from parts, in tests): closing the lease closes the model. */
    public static Lease adopt(TextModel model) {
        return new Lease(null, null, model);
    }

    /** The TaskManager's model for this bundle, loaded by its first user. */
    public static Lease share(Path bundle, int intraOpThreads, ShapePolicy shapes) {
        Path path = bundle.toAbsolutePath().normalize();
        return share(new Key(path, sha256(path), shapes), null, intraOpThreads);
    }

    /** The TaskManager's model for a bundle already checked, loaded by its first user without checking it again. */
    public static Lease share(ModelBundle bundle, int intraOpThreads, ShapePolicy shapes) {
        String sha256 = bundle.manifest().files().get(BundleManifest.MODEL_FILE).sha256();
        return share(new Key(bundle.directory(), sha256, shapes), bundle, intraOpThreads);
    }

    private static Lease share(Key key, ModelBundle checked, int intraOpThreads) {
        Entry entry;
        boolean loads;
        synchronized (SharedModels.class) {
            entry = MODELS.get(key);
            if (entry != null
                    && entry.model.isDone()
                    && !entry.model.isCompletedExceptionally()
                    && !entry.model.join().isOpen()) {
                // Closed underneath its users: not for new ones.
                MODELS.remove(key);
                entry = null;
            }
            loads = entry == null;
            if (loads) {
                entry = new Entry();
                MODELS.put(key, entry);
            }
            entry.users++;
        }
        if (loads) {
            try {
                ModelBundle bundle = checked != null ? checked : ModelBundle.open(key.bundle());
                entry.model.complete(TextModel.openShared(bundle, intraOpThreads, key.shapes()));
            } catch (RuntimeException | Error e) {
                synchronized (SharedModels.class) {
                    // Whoever comes next loads again, rather than sharing this failure.
                    MODELS.remove(key, entry);
                }
                entry.model.completeExceptionally(e);
            }
        }
        try {
            return new Lease(key, entry, entry.model.join());
        } catch (CompletionException e) {
            release(key, entry, 0);
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    private static void release(Key key, Entry entry, long keepAlive) {
        synchronized (SharedModels.class) {
            if (--entry.users > 0) {
                return;
            }
            MODELS.remove(key, entry);
        }
        if (entry.model.isDone() && !entry.model.isCompletedExceptionally()) {
            entry.model.join().release(keepAlive);
        }
    }

    /** The model file's sha256 that bundle.json records, or "" when it cannot be read (the load will say why). */
    private static String sha256(Path bundle) {
        try {
            return BundleManifest.read(bundle.resolve(ModelBundle.MANIFEST_FILE))
                    .files()
                    .get(BundleManifest.MODEL_FILE)
                    .sha256();
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** Models in use by at least one user of this classloader (for tests and metrics). */
    public static synchronized int loaded() {
        return (int) MODELS.values().stream().filter(e -> e.users > 0).count();
    }

    /** Models loaded since the JVM started: a reuse within the keep-alive loads nothing. */
    public static long loads() {
        return NativeModels.loads();
    }

    /** Closes every unused model now, whatever the keep-alive (tests, and a JVM about to exit). */
    public static void closeUnused() {
        NativeModels.closeUnused();
    }

    /** Sets the keep-alive for this JVM (tests). */
    static void keepAlive(long millis) {
        keepAliveMillis = millis;
    }
}
