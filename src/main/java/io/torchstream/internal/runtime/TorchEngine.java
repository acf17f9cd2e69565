package io.torchstream.internal.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ai.djl.engine.Engine;

/**
 * Starts DJL's PyTorch engine once per JVM, strictly offline: libtorch comes from the
 * pytorch-native-cpu jar on the classpath, never from the network.
 */
public final class TorchEngine {

    private static final Logger LOG = LoggerFactory.getLogger(TorchEngine.class);

    public static final String ENGINE_NAME = "PyTorch";

    /**
     * DJL's switch for libtorch's profiling graph executor, read at every forward pass. On, the executor
     * re-optimises each new input shape over its first calls, per thread: a model that runs at 32 shapes
     * needs 3 runs of each on every thread before its latency settles. Off, one run per shape will do, and
     * the forward pass is as fast (all-MiniLM-L6-v2, 2 threads, 32 shapes, same run: within 4% either way at
     * every shape, 8x128 115 ms off against 123 ms on). Off unless the JVM says otherwise.
     */
    public static final String GRAPH_OPTIMIZER = "ai.djl.pytorch.graph_optimizer";

    private static Engine engine;
    private static int startedThreads;
    private static boolean starting;

    private TorchEngine() {}

    /**
     * The libtorch threads for a process whose cores are shared by {@code sharers} model users (slots):
     * {@code configured} when positive, else cores / sharers, at least 1. libtorch's thread pool is per
     * process, so sharers x threads above the cores would make the threads fight over them.
     */
    public static int threadsFor(int configured, int sharers) {
        if (configured > 0) {
            return configured;
        }
        return Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, sharers));
    }

    /** Runs per shape that warm a thread up: 3 while the graph executor re-optimises new shapes, else 1. */
    public static int warmUpRuns() {
        return optimizerOn() ? 3 : 1;
    }

    /**
     * Whether a warm-up must run every shape. With the optimizer off, only a module's first forward pass in
     * the process is slow (all-MiniLM-L6-v2, 1 thread: 41 ms at 1x16 against 13 ms after); each shape after it
     * runs its first call at its steady speed (within noise at all 32 shapes, fp32 and int8, in either order),
     * so one run at one shape does what a run at every shape did, for a fraction of the start-up.
     */
    public static boolean warmUpEveryShape() {
        return optimizerOn();
    }

    private static boolean optimizerOn() {
        return Boolean.parseBoolean(System.getProperty(GRAPH_OPTIMIZER, "false"));
    }

    /**
     * Starts libtorch on a thread of its own unless it has started or is starting, and returns at once: loading
     * its native libraries (about 0.6 s) then overlaps a bundle's checks and its tokenizer's load, and {@link
     * #start} waits for it. A failure is left for {@link #start} to raise, on the caller's thread.
     */
    public static void startInBackground(int intraOpThreads) {
        synchronized (TorchEngine.class) {
            if (engine != null || starting) {
                return;
            }
            starting = true;
        }
        Thread starter = new Thread(
                () -> {
                    try {
                        start(intraOpThreads);
                    } catch (RuntimeException | Error e) {
                        LOG.debug("libtorch did not start in the background; the model load will say why", e);
                    } finally {
                        synchronized (TorchEngine.class) {
                            starting = false;
                        }
                    }
                },
                "torchstream-libtorch-start");
        // DJL finds its engine through the context classloader.
        starter.setContextClassLoader(Thread.currentThread().getContextClassLoader());
        starter.setDaemon(true);
        starter.start();
    }

    /**
     * Returns the started engine, starting it with {@code intraOpThreads} libtorch threads (0: libtorch's
     * default, one per core) if this is the first call in the JVM. libtorch reads its thread counts once:
     * later callers share the first caller's setting.
     */
    public static synchronized Engine start(int intraOpThreads) {
        if (engine != null) {
            if (intraOpThreads > 0 && intraOpThreads != startedThreads) {
                LOG.warn(
                        "libtorch already runs with {} intra-op threads in this JVM; the {} asked for now cannot apply",
                        startedThreads,
                        intraOpThreads);
            }
            return engine;
        }
        for (String variable : new String[] {"PYTORCH_VERSION", "PYTORCH_FLAVOR", "PYTORCH_LIBRARY_PATH"}) {
            if (System.getenv(variable) != null) {
                throw new IllegalStateException(variable + " is set, which makes DJL look for (or download) another"
                        + " libtorch; unset it: torchstream uses the libtorch of the pytorch-native-cpu jar");
            }
        }
        // Never reach the network: no native download, and no telemetry call to the EC2 metadata address.
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("offline", "true");
        if (intraOpThreads > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(intraOpThreads));
        }
        if (System.getProperty(GRAPH_OPTIMIZER) == null) {
            System.setProperty(GRAPH_OPTIMIZER, "false");
        }
        // One inter-op thread: the encoder graphs run their ops in sequence, so more would only idle.
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        long started = System.nanoTime();
        engine = Engine.getEngine(ENGINE_NAME);
        startedThreads = intraOpThreads;
        LOG.info(
                "libtorch {} started in {} ms with {} intra-op threads",
                engine.getVersion(),
                (System.nanoTime() - started) / 1_000_000,
                intraOpThreads > 0 ? intraOpThreads : "default");
        return engine;
    }
}
