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

    private static Engine engine;
    private static int startedThreads;

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
