package io.torchstream.sql;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The options of a TorchScript model in Flink SQL: {@code CREATE MODEL ... WITH ('provider' =
 * 'torchscript', 'bundle' = '...', ...)}. They mirror the DataStream job's keys ({@code model.*},
 * {@code batch.*}, {@code classify.*}, {@code tagging.*}) without their section prefixes where the
 * model itself is the section. {@link TorchScriptModelSpec} validates them all in one place.
 */
@PublicEvolving
public final class TorchScriptModelOptions {

    /** The value of {@code 'provider'} that selects this model provider. */
    public static final String IDENTIFIER = "torchscript";

    public static final ConfigOption<String> BUNDLE = ConfigOptions.key("bundle").stringType().noDefaultValue()
            .withDescription("The model bundle folder (bundle.json, model.pt, tokenizer.json) that bin/torchstream export"
                    + " wrote. A relative path is resolved against the working directory of the process that plans the"
                    + " query (the SQL client or the embedded runner) and shipped as an absolute path: the folder must be"
                    + " readable at that path on every TaskManager too.");

    public static final ConfigOption<Integer> THREADS = ConfigOptions.key("threads").intType().defaultValue(0)
            .withDescription("libtorch intra-op threads per TaskManager process. 0 picks cores / parallelism, so that"
                    + " the parallel instances together use every core once; libtorch reads it once per process.");

    public static final ConfigOption<String> SHARING = ConfigOptions.key("sharing").stringType().defaultValue("task-manager")
            .withDescription("'task-manager': the parallel instances in one TaskManager share one loaded model"
                    + " (reference-counted); 'per-slot': each instance loads its own.");

    public static final ConfigOption<String> SHAPES = ConfigOptions.key("shapes").stringType().defaultValue("verified")
            .withDescription("'verified': each batch runs at the smallest shape the exporter verified that holds it;"
                    + " 'traced': every batch is padded to the traced shape, as a plain TorchScript deployment does.");

    public static final ConfigOption<Integer> BATCH_MAX_SIZE = ConfigOptions.key("batch.max-size").intType().defaultValue(0)
            .withDescription("The most rows per micro-batch (the model runs it as one forward pass per length group,"
                    + " as the DataStream job does). It can never exceed the rows ML_PREDICT keeps in flight"
                    + " (the 'max-concurrent-operations' of the ML_PREDICT config map, else"
                    + " table.exec.async-ml-predict.max-concurrent-operations, default 10): a larger value fails at"
                    + " planning. 0 takes the largest batch the bundle was verified at that fits twice in"
                    + " max-concurrent-operations, so that one batch can fill while another runs (8 for the default model"
                    + " with 16 rows in flight, 4 with Flink's default of 10).");

    public static final ConfigOption<Duration> BATCH_MAX_WAIT = ConfigOptions.key("batch.max-wait").durationType()
            .defaultValue(Duration.ofMillis(20))
            .withDescription("Once the model is free, the longest it waits for a batch to fill before running the rows"
                    + " it has. Must be shorter than ML_PREDICT's async timeout.");

    public static final ConfigOption<String> LABELS_FILE = ConfigOptions.key("labels-file").stringType().noDefaultValue()
            .withDescription("For embedding bundles: a YAML file whose top-level 'labels' list of {name, description,"
                    + " examples} classifies each text by cosine similarity to the labels' prototypes (as the DataStream"
                    + " job's classify.labels-file). Read when the query is planned; relative to the working directory.");

    public static final ConfigOption<Double> SCALE = ConfigOptions.key("scale").doubleType().defaultValue(40.0)
            .withDescription("With 'labels-file': cosine similarities are multiplied by this before the softmax over"
                    + " labels. Higher gives more confident scores.");

    public static final ConfigOption<String> TAGGING_AGGREGATION = ConfigOptions.key("tagging.aggregation").stringType()
            .defaultValue("simple").withDescription("For token-classification bundles: how tokens become entities, as"
                    + " transformers' pipeline: 'none', 'simple', 'first', 'average' or 'max'.");

    public static final ConfigOption<Integer> TAGGING_STRIDE = ConfigOptions.key("tagging.stride").intType().defaultValue(-1)
            .withDescription("For token-classification bundles: tokens shared by consecutive windows of a text longer"
                    + " than the model's length; -1 takes a quarter of the length.");

    public static final ConfigOption<List<String>> TAGGING_IGNORE_LABELS = ConfigOptions.key("tagging.ignore-labels")
            .stringType().asList().defaultValues("O")
            .withDescription("For token-classification bundles: labels that mean 'no entity' (';'-separated).");

    private TorchScriptModelOptions() {}

    static Set<ConfigOption<?>> required() {
        return Set.of(BUNDLE);
    }

    static Set<ConfigOption<?>> optional() {
        return Set.of(THREADS, SHARING, SHAPES, BATCH_MAX_SIZE, BATCH_MAX_WAIT, LABELS_FILE, SCALE, TAGGING_AGGREGATION,
                TAGGING_STRIDE, TAGGING_IGNORE_LABELS);
    }

    /** The options that only apply to token-classification bundles. */
    static List<ConfigOption<?>> tagging() {
        return List.of(TAGGING_AGGREGATION, TAGGING_STRIDE, TAGGING_IGNORE_LABELS);
    }
}
