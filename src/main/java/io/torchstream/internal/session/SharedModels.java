package io.torchstream.internal.session;

import io.torchstream.internal.bundle.BundleManifest;
import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.task.ShapePolicy;
import io.torchstream.internal.task.TextModel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One loaded model per bundle (and shape policy) per JVM and classloader, shared by the operators that
 * run it (the slots of a TaskManager): reference-counted, and closed when its last user has released it
 * and no user came back within the keep-alive ({@value #KEEP_ALIVE_PROPERTY}, milliseconds, default 30 s).
 * A failover restarts a job's tasks in the same TaskManager JVM and classloader a few seconds later: they
 * find the model loaded and warm instead of loading it again. The model file's sha256 is part of the key,
 * so a bundle replaced at the same path is loaded afresh. The first user of a bundle loads it while later
 * users of the same bundle wait for that load; other bundles load at the same time.
 */
public final class SharedModels {

    private static final Logger LOG = LoggerFactory.getLogger(SharedModels.class);

    private static final Map<Key, Entry> MODELS = new HashMap<>();

    /** The JVM property that sets how long an unused model stays loaded, in milliseconds (0: none). */
    public static final String KEEP_ALIVE_PROPERTY = "torchstream.model.keep-alive-ms";

    private static volatile long keepAliveMillis = Long.getLong(KEEP_ALIVE_PROPERTY, 30_000L);

    // Its one thread ends when idle, so that it holds no classloader of a finished job.
    private static final ScheduledThreadPoolExecutor CLOSER = closer();

    private static long loads;

    private record Key(Path bundle, String sha256, ShapePolicy shapes) {}

    private SharedModels() {}

    private static final class Entry {
        final CompletableFuture<TextModel> model = new CompletableFuture<>();
        final int threads;
        int users;
        ScheduledFuture<?> pendingClose;

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
            release(true);
        }

        /**
         * Releases the hold for good: a model replaced by a newer version is closed as soon as its last user
         * lets go, without the keep-alive that serves tasks restarted on the same version.
         */
        public void retire() {
            release(false);
        }

        private void release(boolean keepAlive) {
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
        ShapePolicy shapes = key.shapes();
        Entry entry;
        boolean loads;
        synchronized (SharedModels.class) {
            entry = MODELS.get(key);
            if (entry != null
                    && entry.users == 0
                    && entry.model.isDone()
                    && !entry.model.isCompletedExceptionally()
                    && !entry.model.join().isOpen()) {
                // Closed by someone else while kept alive: not reusable.
                MODELS.remove(key);
                entry = null;
            }
            loads = entry == null;
            if (loads) {
                entry = new Entry(intraOpThreads);
                MODELS.put(key, entry);
                SharedModels.loads++;
            } else if (entry.pendingClose != null) {
                entry.pendingClose.cancel(false);
                entry.pendingClose = null;
                LOG.info("{} is still loaded: reused", key.bundle());
            }
            entry.users++;
        }
        if (loads) {
            try {
                ModelBundle bundle = checked != null ? checked : ModelBundle.open(key.bundle());
                entry.model.complete(TextModel.open(bundle, intraOpThreads, shapes));
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
            release(key, entry, true);
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    private static void release(Key key, Entry entry, boolean keepAlive) {
        synchronized (SharedModels.class) {
            if (--entry.users > 0 || MODELS.get(key) != entry) {
                return;
            }
            if (keepAlive && keepAliveMillis > 0 && !entry.model.isCompletedExceptionally()) {
                entry.pendingClose =
                        CLOSER.schedule(() -> closeIfUnused(key, entry), keepAliveMillis, TimeUnit.MILLISECONDS);
                return;
            }
        }
        closeIfUnused(key, entry);
    }

    private static void closeIfUnused(Key key, Entry entry) {
        TextModel toClose = null;
        synchronized (SharedModels.class) {
            if (entry.users == 0 && MODELS.get(key) == entry) {
                MODELS.remove(key);
                entry.pendingClose = null;
                toClose = entry.model.isCompletedExceptionally() ? null : entry.model.getNow(null);
            }
        }
        if (toClose != null) {
            toClose.close();
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

    private static ScheduledThreadPoolExecutor closer() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "torchstream-model-closer");
            t.setDaemon(true);
            return t;
        });
        executor.setKeepAliveTime(1, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** Models in use by at least one user (for tests and metrics); unused ones kept alive are not counted. */
    public static synchronized int loaded() {
        return (int) MODELS.values().stream().filter(e -> e.users > 0).count();
    }

    /** Models loaded since the JVM started: a reuse within the keep-alive loads nothing. */
    public static synchronized long loads() {
        return loads;
    }

    /** Closes every unused model now, whatever the keep-alive (tests, and a JVM about to exit). */
    public static void closeUnused() {
        List<Map.Entry<Key, Entry>> idle;
        synchronized (SharedModels.class) {
            idle = MODELS.entrySet().stream()
                    .filter(e -> e.getValue().users == 0)
                    .map(e -> Map.entry(e.getKey(), e.getValue()))
                    .toList();
            idle.forEach(e -> {
                if (e.getValue().pendingClose != null) {
                    e.getValue().pendingClose.cancel(false);
                }
            });
        }
        idle.forEach(e -> closeIfUnused(e.getKey(), e.getValue()));
    }

    /** Sets the keep-alive for this JVM (tests). */
    static void keepAlive(long millis) {
        keepAliveMillis = millis;
    }
}
