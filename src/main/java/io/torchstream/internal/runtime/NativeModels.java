package io.torchstream.internal.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Loaded native models (a libtorch module and its tokenizer, as DJL objects) for the whole JVM, shared by
 * every job classloader: reference-counted, and closed when their last user has released them and no user
 * came back within the keep-alive the release asked for.
 *
 * <p>Flink gives every job its own classloader, so a static cache in the job's classes dies with the job: a
 * job submitted again (a redeploy, an upgrade from a savepoint) would load and warm its model again beside the
 * old one. With DJL on the TaskManager's own classpath (Flink's {@code lib/}), its objects outlive any job;
 * this class then keeps them in the copy of itself that the TaskManager's classloader holds ({@code
 * target/torchstream-lib.jar} in {@code lib/}), and calls that copy by name. Its signatures use JDK types
 * only, so that the copies in two classloaders can call each other. Without that jar in {@code lib/}, or
 * with DJL inside the job jar, every classloader keeps its own models, as before.
 */
public final class NativeModels {

    private static final String DJL_MODEL_CLASS = "ai.djl.Model";

    // The copy of this class that holds the models: the TaskManager classloader's when it has one and DJL
    // is loaded from there too, else this one.
    private static final Home HOME = Home.find();

    private static final Map<String, Entry> ENTRIES = new HashMap<>();
    private static long loads;
    private static ScheduledThreadPoolExecutor closer;

    private NativeModels() {}

    private static final class Entry {
        final CompletableFuture<List<? extends AutoCloseable>> parts = new CompletableFuture<>();
        int users;
        ScheduledFuture<?> pendingClose;
    }

    /**
     * The parts loaded under {@code key}, loaded by {@code load} if no user holds or keeps them: the caller
     * holds them until it calls {@link #release}. Callers of the same key wait for its one load. The parts
     * must be objects of classes that outlive the caller's classloader (DJL's, in {@code lib/}): another job
     * may get them. {@code load} may throw; the next caller then loads again.
     */
    public static List<? extends AutoCloseable> acquire(String key, Supplier<List<? extends AutoCloseable>> load) {
        return HOME.acquire(key, load);
    }

    /**
     * Releases one hold on {@code key}'s parts: the last one closes them after {@code keepAliveMillis} (at
     * once when 0) unless a user acquired them again meanwhile.
     */
    public static void release(String key, long keepAliveMillis) {
        HOME.release(key, keepAliveMillis);
    }

    /** Loads since the JVM started, across every classloader that shares this store. */
    public static long loads() {
        return HOME.loads();
    }

    /** Whether this classloader's models live in the TaskManager's classloader, shared with other jobs. */
    public static boolean sharedAcrossJobs() {
        return HOME.shared;
    }

    /** Closes every unused model now, whatever its keep-alive (tests). */
    public static void closeUnused() {
        HOME.closeUnused();
    }

    // The store itself: public and of JDK types only, for the copies in other classloaders to call.

    /** Not for callers: {@link #acquire} of the copy that holds the models. */
    public static Object acquireHere(String key, Supplier<List<? extends AutoCloseable>> load) {
        Entry entry;
        boolean loadsNow;
        synchronized (ENTRIES) {
            entry = ENTRIES.get(key);
            loadsNow = entry == null;
            if (loadsNow) {
                entry = new Entry();
                ENTRIES.put(key, entry);
                loads++;
            } else if (entry.pendingClose != null) {
                entry.pendingClose.cancel(false);
                entry.pendingClose = null;
            }
            entry.users++;
        }
        if (loadsNow) {
            try {
                entry.parts.complete(List.copyOf(load.get()));
            } catch (RuntimeException | Error e) {
                synchronized (ENTRIES) {
                    ENTRIES.remove(key, entry);
                }
                entry.parts.completeExceptionally(e);
                throw e;
            }
        }
        try {
            return entry.parts.join();
        } catch (CompletionException e) {
            synchronized (ENTRIES) {
                entry.users--;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    /** Not for callers: {@link #release} of the copy that holds the models. */
    public static void releaseHere(String key, long keepAliveMillis) {
        Entry entry;
        synchronized (ENTRIES) {
            entry = ENTRIES.get(key);
            if (entry == null || --entry.users > 0) {
                return;
            }
            if (keepAliveMillis > 0) {
                Entry kept = entry;
                entry.pendingClose =
                        closer().schedule(() -> closeIfUnused(key, kept), keepAliveMillis, TimeUnit.MILLISECONDS);
                return;
            }
        }
        closeIfUnused(key, entry);
    }

    /** Not for callers: {@link #loads} of the copy that holds the models. */
    public static long loadsHere() {
        synchronized (ENTRIES) {
            return loads;
        }
    }

    /** Not for callers: {@link #closeUnused} of the copy that holds the models. */
    public static void closeUnusedHere() {
        List<Map.Entry<String, Entry>> idle;
        synchronized (ENTRIES) {
            idle = ENTRIES.entrySet().stream()
                    .filter(e -> e.getValue().users == 0)
                    .map(e -> Map.entry(e.getKey(), e.getValue()))
                    .toList();
        }
        idle.forEach(e -> closeIfUnused(e.getKey(), e.getValue()));
    }

    private static void closeIfUnused(String key, Entry entry) {
        synchronized (ENTRIES) {
            if (entry.users > 0 || ENTRIES.get(key) != entry) {
                return;
            }
            ENTRIES.remove(key);
            if (entry.pendingClose != null) {
                entry.pendingClose.cancel(false);
                entry.pendingClose = null;
            }
        }
        List<? extends AutoCloseable> parts = entry.parts.getNow(null);
        if (parts == null) {
            return;
        }
        // In the order the loader listed them.
        for (AutoCloseable part : parts) {
            try {
                part.close();
            } catch (Exception e) {
                // Closing native memory does not fail in a way a caller could act on; the rest still closes.
            }
        }
    }

    private static synchronized ScheduledThreadPoolExecutor closer() {
        if (closer == null) {
            closer = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "torchstream-native-models-closer");
                t.setDaemon(true);
                // A thread inherits its creator's context classloader: that of whichever job released first.
                t.setContextClassLoader(NativeModels.class.getClassLoader());
                return t;
            });
            // Its one thread ends when idle, holding nothing between keep-alives.
            closer.setKeepAliveTime(1, TimeUnit.SECONDS);
            closer.allowCoreThreadTimeOut(true);
            closer.setRemoveOnCancelPolicy(true);
        }
        return closer;
    }

    /** The copy of this class that holds the models, and its store's entry points. */
    private static final class Home {
        final boolean shared;
        final MethodHandle acquire;
        final MethodHandle release;
        final MethodHandle loads;
        final MethodHandle closeUnused;

        private Home(Class<?> home) throws ReflectiveOperationException {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            this.shared = home != NativeModels.class;
            this.acquire = lookup.findStatic(
                    home, "acquireHere", MethodType.methodType(Object.class, String.class, Supplier.class));
            this.release =
                    lookup.findStatic(home, "releaseHere", MethodType.methodType(void.class, String.class, long.class));
            this.loads = lookup.findStatic(home, "loadsHere", MethodType.methodType(long.class));
            this.closeUnused = lookup.findStatic(home, "closeUnusedHere", MethodType.methodType(void.class));
        }

        static Home find() {
            Class<?> home = NativeModels.class;
            ClassLoader own = NativeModels.class.getClassLoader();
            ClassLoader system = ClassLoader.getSystemClassLoader();
            if (own != system) {
                try {
                    Class<?> candidate = Class.forName(NativeModels.class.getName(), true, system);
                    // Only DJL objects that the TaskManager's classloader loaded can outlive this job.
                    if (Class.forName(DJL_MODEL_CLASS, false, system) == Class.forName(DJL_MODEL_CLASS, false, own)) {
                        home = candidate;
                    }
                } catch (ClassNotFoundException e) {
                    // Not in lib/: this classloader keeps its own models.
                }
            }
            try {
                return new Home(home);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(
                        "the native model store in " + home.getClassLoader() + " is not this version's (" + e
                                + "); put this version's torchstream-lib.jar in lib/",
                        e);
            }
        }

        @SuppressWarnings("unchecked")
        List<? extends AutoCloseable> acquire(String key, Supplier<List<? extends AutoCloseable>> load) {
            try {
                Object parts = (Object) acquire.invokeExact(key, load);
                return (List<? extends AutoCloseable>) parts;
            } catch (Throwable e) {
                throw unchecked(e);
            }
        }

        void release(String key, long keepAliveMillis) {
            try {
                release.invokeExact(key, keepAliveMillis);
            } catch (Throwable e) {
                throw unchecked(e);
            }
        }

        long loads() {
            try {
                return (long) loads.invokeExact();
            } catch (Throwable e) {
                throw unchecked(e);
            }
        }

        void closeUnused() {
            try {
                closeUnused.invokeExact();
            } catch (Throwable e) {
                throw unchecked(e);
            }
        }

        // The store's methods declare no checked exception: what they throw passes through as it is.
        private static RuntimeException unchecked(Throwable e) {
            if (e instanceof Error error) {
                throw error;
            }
            return e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
        }
    }
}
