package io.torchstream.internal.flink;

import org.apache.flink.api.common.accumulators.Accumulator;
import org.apache.flink.api.common.functions.RuntimeContext;

import java.util.function.Supplier;

/** Metric names, all under the operator's {@value #GROUP} group. */
public final class TorchstreamMetrics {

    public static final String GROUP = "torchstream";

    /** Records read by the parser. */
    public static final String EVENTS_IN = "eventsIn";
    /** Records refused by the parser, sent to the dead letters. */
    public static final String DEAD_LETTERS = "deadLetters";
    /** Results written by the inference function. */
    public static final String EVENTS_OUT = "eventsOut";
    /** Forward passes run. */
    public static final String BATCHES = "batches";
    /** Real rows per forward pass (histogram). */
    public static final String BATCH_SIZE = "batchSize";
    /** Forward pass wall time in milliseconds (histogram). */
    public static final String INFERENCE_LATENCY = "inferenceLatencyMs";
    /** Tokens computed by forward passes, padding included. */
    public static final String TOKENS_COMPUTED = "tokensComputed";
    /** Tokens of text (special tokens included) in forward passes. */
    public static final String TOKENS_REAL = "tokensReal";
    /** Padding tokens over all computed tokens since start (gauge, 0..1). */
    public static final String PADDING_RATIO = "paddingRatio";
    /**
     * Milliseconds this task spent getting its model (gauge): loading and warming it up, or next to none where
     * the TaskManager had it loaded already (another slot, a restarted task, a job submitted again).
     */
    public static final String MODEL_LOAD_TIME = "modelLoadMillis";

    /** Gauge: the repository version serving now (0: a bundle outside a repository). */
    public static final String MODEL_VERSION = "modelVersion";

    /** Gauge: versions that took over since the task started. */
    public static final String RELOADS = "reloads";

    /** Gauge: versions refused or failed to load, and failed repository listings, since the task started. */
    public static final String RELOAD_FAILURES = "reloadFailures";

    /** Gauge: milliseconds the last version that took over spent loading and warming up. */
    public static final String RELOAD_MILLIS = "reloadMillis";

    /** Wall clock (ms) of the first record read and of the last result written (accumulators only). */
    public static final String FIRST_EVENT_MILLIS = "firstEventMillis";

    public static final String LAST_RESULT_MILLIS = "lastResultMillis";

    /** Results per label (accumulator only). */
    public static final String LABELS = "labels";

    /** Job-wide totals (Flink accumulators) carry this prefix before the metric name. */
    public static final String ACCUMULATOR_PREFIX = "torchstream.";

    private TorchstreamMetrics() {}

    /**
     * The task's accumulator for {@code metric}, created on first use: operators chained into one task
     * share the task's accumulators, and adding one of a name twice fails.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <A extends Accumulator<?, ?>> A accumulator(
            RuntimeContext context, String metric, Supplier<A> create) {
        String name = ACCUMULATOR_PREFIX + metric;
        Accumulator<?, ?> existing = context.getAccumulator(name);
        if (existing != null) {
            return (A) existing;
        }
        A created = create.get();
        context.addAccumulator(name, (Accumulator) created);
        return created;
    }
}
