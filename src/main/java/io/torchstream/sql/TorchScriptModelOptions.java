package io.torchstream.sql;

import io.torchstream.internal.session.ModelOptions;
import io.torchstream.internal.session.RedactionOptions;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

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
    /** Whether a text longer than the model is cut ({@code true}) or is an error for the row ({@code false}). */
    public static final ConfigOption<Boolean> TRUNCATE = ModelOptions.TRUNCATE;

    /** What a row the model cannot predict gets; see {@link ErrorHandling}. */
    public static final ConfigOption<String> ERROR_HANDLING = ConfigOptions.key("error-handling")
            .stringType()
            .defaultValue("failover")
            .withDescription("What a row the model cannot predict gets: 'failover' fails the job (it restarts as"
                    + " configured), 'ignore' gives NULL outputs, 'column' NULL outputs and the reason in an OUTPUT"
                    + " column 'error STRING'. A batch that fails runs again row by row, so only the bad rows fail.");

    /** {@code predict} (an empty or blank text runs like any other) or {@code error} (it is an error for the row). */
    public static final ConfigOption<String> EMPTY_TEXT = ConfigOptions.key("empty-text")
            .stringType()
            .defaultValue("predict")
            .withDescription("'predict': an empty or blank text runs like any other; 'error': it is an error for the"
                    + " row, handled as 'error-handling' says.");

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

    /**
     * For token-classification bundles: PII redaction, {@code 'redact.enabled' = 'true'}, which adds the OUTPUT
     * column {@code redacted STRING}; the other {@code redact.*} options (patterns, operators, thresholds,
     * allow lists, salt) and the per-type keys {@code redact.types.TYPE.*} are listed in the README.
     */
    public static final ConfigOption<Boolean> REDACT_ENABLED = RedactionOptions.ENABLED;

    /** What ML_PREDICT gives for a row the model cannot predict. */
    public enum ErrorHandling {
        /** The row fails, and so the job: it restarts as its restart strategy says (the default). */
        FAILOVER,
        /** NULL outputs. */
        IGNORE,
        /** NULL outputs, and the reason in the OUTPUT column {@code error STRING}. */
        COLUMN;

        /** The option's value. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private TorchScriptModelOptions() {}

    static Set<ConfigOption<?>> required() {
        return Set.of(BUNDLE);
    }

    static Set<ConfigOption<?>> optional() {
        Set<ConfigOption<?>> options = new java.util.HashSet<>(Set.of(
                TRUNCATE,
                ERROR_HANDLING,
                EMPTY_TEXT,
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
                TAGGING_IGNORE_LABELS,
                ModelOptions.RELOAD_INTERVAL,
                ModelOptions.RELOAD_LABELS,
                ModelOptions.RELOAD_TOPIC,
                ModelOptions.RELOAD_BOOTSTRAP_SERVERS));
        options.addAll(RedactionOptions.all());
        return options;
    }
}
