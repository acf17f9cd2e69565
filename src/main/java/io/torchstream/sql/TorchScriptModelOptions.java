package io.torchstream.sql;

import io.torchstream.internal.session.ModelOptions;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The options of a TorchScript model in Flink SQL: {@code CREATE MODEL ... WITH ('provider' =
 * 'torchscript', 'bundle' = '...', ...)}. They are the DataStream job's model options ({@code model.*},
 * {@code classify.*}, {@code tagging.*}, {@code batch.*}), named without the {@code model.} and {@code
 * classify.} sections where the model itself is the section, and checked by the same code.
 */
@PublicEvolving
public final class TorchScriptModelOptions {

    /** The value of {@code 'provider'} that selects this model provider. */
    public static final String IDENTIFIER = "torchscript";

    /** The bundle folder; a relative path is resolved against the working directory of the process that plans the query. */
    public static final ConfigOption<String> BUNDLE = ModelOptions.BUNDLE;
    /** libtorch intra-op threads per TaskManager process; 0 picks cores / the slots that run the model. */
    public static final ConfigOption<Integer> THREADS = ModelOptions.THREADS;
    /** {@code task-manager} (one shared model per TaskManager) or {@code per-slot}. */
    public static final ConfigOption<String> SHARING = ModelOptions.SHARING;
    /** {@code verified} (the smallest verified shape per batch) or {@code traced}. */
    public static final ConfigOption<String> SHAPES = ModelOptions.SHAPES;
    /** The longest text in tokens that must not be cut; a bundle traced shorter is refused. */
    public static final ConfigOption<Integer> MAX_LENGTH = ModelOptions.MAX_LENGTH;
    /** The most rows per micro-batch; never more than ML_PREDICT keeps in flight. */
    public static final ConfigOption<Integer> BATCH_MAX_SIZE = ModelOptions.BATCH_MAX_SIZE;
    /** Once the model is free, the longest it waits for a batch to fill; shorter than ML_PREDICT's timeout. */
    public static final ConfigOption<Duration> BATCH_MAX_WAIT = ModelOptions.BATCH_MAX_WAIT;
    /** For embedding bundles: the YAML file of labels described in words. */
    public static final ConfigOption<String> LABELS_FILE = ModelOptions.LABELS_FILE;
    /** With labels: the factor on cosine similarities before the softmax. */
    public static final ConfigOption<Double> SCALE = ModelOptions.SCALE;
    /** For token-classification bundles: the pipeline's aggregation strategy. */
    public static final ConfigOption<String> TAGGING_AGGREGATION = ModelOptions.TAGGING_AGGREGATION;
    /** For token-classification bundles: tokens shared by the windows of a long text. */
    public static final ConfigOption<Integer> TAGGING_STRIDE = ModelOptions.TAGGING_STRIDE;
    /** For token-classification bundles: labels that mean "no entity" (';'-separated). */
    public static final ConfigOption<List<String>> TAGGING_IGNORE_LABELS = ModelOptions.TAGGING_IGNORE_LABELS;

    private TorchScriptModelOptions() {}

    static Set<ConfigOption<?>> required() {
        return Set.of(BUNDLE);
    }

    static Set<ConfigOption<?>> optional() {
        return Set.of(
                THREADS,
                SHARING,
                SHAPES,
                MAX_LENGTH,
                BATCH_MAX_SIZE,
                BATCH_MAX_WAIT,
                LABELS_FILE,
                SCALE,
                TAGGING_AGGREGATION,
                TAGGING_STRIDE,
                TAGGING_IGNORE_LABELS);
    }
}
