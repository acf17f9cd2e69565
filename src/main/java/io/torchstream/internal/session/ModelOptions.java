package io.torchstream.internal.session;

import io.torchstream.internal.bundle.BundleException;
import io.torchstream.internal.bundle.BundleManifest;
import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.bundle.Task;
import io.torchstream.internal.bundle.TraceShape;
import io.torchstream.internal.task.Aggregation;
import io.torchstream.internal.task.LabelClassifier;
import io.torchstream.internal.task.LabelSpec;
import io.torchstream.internal.task.ShapePolicy;
import io.torchstream.internal.task.TokenTagger;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The model options, described once and read from any source: a job file puts them under {@code
 * model.}, {@code classify.}, {@code tagging.} and {@code batch.}; a {@code CREATE MODEL} map and a
 * {@code ModelSpec} name them without the {@code model.} and {@code classify.} sections, the model being
 * the section. {@link #read} checks what can be checked alone, {@link #checkAgainst} what depends on the
 * bundle; both fail through the source's {@link OptionReader}, so messages name where the value was written.
 */
public final class ModelOptions {

    private ModelOptions() {}

    public static final ConfigOption<String> BUNDLE = ConfigOptions.key("bundle")
            .stringType()
            .noDefaultValue()
            .withDescription(
                    "The model bundle folder (bundle.json, model.pt, tokenizer.json) that bin/torchstream export"
                            + " wrote. A job file resolves a relative path against its own folder; SQL against the working"
                            + " directory of the process that plans the query. It must be readable at that path on the client and"
                            + " on every TaskManager.");

    public static final ConfigOption<String> SHARING = ConfigOptions.key("sharing")
            .stringType()
            .defaultValue("task-manager")
            .withDescription("'task-manager': the slots of a TaskManager share one loaded model (reference-counted);"
                    + " 'per-slot': each parallel instance loads its own.");

    public static final ConfigOption<Integer> THREADS = ConfigOptions.key("threads")
            .intType()
            .defaultValue(0)
            .withDescription("libtorch intra-op threads per TaskManager process. 0 picks cores / the slots that run the"
                    + " model, so that slots x threads matches the cores; libtorch reads it once per process.");

    public static final ConfigOption<String> SHAPES = ConfigOptions.key("shapes")
            .stringType()
            .defaultValue("verified")
            .withDescription("'verified': each batch runs at the smallest shape the exporter verified that holds it;"
                    + " 'traced': every batch is padded to the traced shape, as a plain TorchScript deployment does.");

    public static final ConfigOption<Integer> MAX_LENGTH = ConfigOptions.key("max-length")
            .intType()
            .defaultValue(0)
            .withDescription("The longest text, in tokens, that must be served without cutting it; a bundle traced"
                    + " shorter is refused. 0: whatever the bundle was traced at.");

    public static final ConfigOption<Boolean> TRUNCATE = ConfigOptions.key("truncate")
            .booleanType()
            .defaultValue(true)
            .withDescription("Whether a text longer than the model is cut to its length (and its result flagged"
                    + " 'truncated'). false refuses such a text instead: a dead letter in a DataStream job, an error in"
                    + " SQL ('error-handling'). Token tagging never cuts: long texts run as overlapping windows.");

    public static final ConfigOption<String> LABELS_FILE = ConfigOptions.key("labels-file")
            .stringType()
            .noDefaultValue()
            .withDescription("For embedding bundles: a YAML file whose top-level 'labels' list of {name, description,"
                    + " examples} classifies each text by cosine similarity to the labels' prototypes, so that several"
                    + " jobs share one label set. Relative to the job file (SQL: to the working directory).");

    public static final ConfigOption<Double> SCALE = ConfigOptions.key("scale")
            .doubleType()
            .defaultValue(40.0)
            .withDescription("With labels: cosine similarities are multiplied by this before the softmax over labels."
                    + " Higher gives more confident scores; 40 minimised the log-loss on data/headlines-dev.jsonl.");

    public static final ConfigOption<String> TAGGING_AGGREGATION = ConfigOptions.key("tagging.aggregation")
            .stringType()
            .defaultValue("simple")
            .withDescription(
                    "For token-classification bundles: how tokens become entities, as"
                            + " transformers' token-classification pipeline: 'none' (every token), 'simple' (adjacent tokens of a"
                            + " type), 'first', 'average' or 'max' (word-level labels from the first, averaged or most confident token).");

    public static final ConfigOption<Integer> TAGGING_STRIDE = ConfigOptions.key("tagging.stride")
            .intType()
            .defaultValue(-1)
            .withDescription("For token-classification bundles: tokens shared by consecutive windows of a text longer"
                    + " than the model's length; -1 takes a quarter of the length.");

    public static final ConfigOption<List<String>> TAGGING_IGNORE_LABELS = ConfigOptions.key("tagging.ignore-labels")
            .stringType()
            .asList()
            .defaultValues("O")
            .withDescription("For token-classification bundles: labels that mean 'no entity' (in SQL, ';'-separated).");

    public static final ConfigOption<Duration> RELOAD_INTERVAL = ConfigOptions.key("reload.interval")
            .durationType()
            .defaultValue(Duration.ZERO)
            .withDescription("When the bundle folder is a repository of numbered versions (1/, 2/, ...): how often it"
                    + " is polled for a higher whole version, which is then loaded and warmed up beside the one serving and"
                    + " takes over at a batch boundary. 0 (the default): the version found at start serves until the job"
                    + " ends.");

    public static final ConfigOption<String> RELOAD_TOPIC = ConfigOptions.key("reload.topic")
            .stringType()
            .noDefaultValue()
            .withDescription(
                    "Instead of polling the repository: a Kafka topic whose records name the version to serve,"
                            + " {\"version\": N} with optional \"sha256\" (of its model.pt) and \"uri\" (its bundle, when not in the"
                            + " repository's folder N/). Each task reads every partition from the beginning; versions only go up.");

    public static final ConfigOption<String> RELOAD_BOOTSTRAP_SERVERS = ConfigOptions.key("reload.bootstrap-servers")
            .stringType()
            .noDefaultValue()
            .withDescription("The Kafka brokers of reload.topic.");

    public static final ConfigOption<String> RELOAD_LABELS = ConfigOptions.key("reload.labels")
            .stringType()
            .defaultValue("same")
            .withDescription("'same': a new version whose labels differ from those of the version the job started with"
                    + " is refused (the old one keeps serving); 'any': label changes are served. A version of another task,"
                    + " another output width or another input (text pair or not) is always refused.");

    public static final ConfigOption<Integer> BATCH_MAX_SIZE = ConfigOptions.key("batch.max-size")
            .intType()
            .defaultValue(0)
            .withDescription(
                    "The most events per micro-batch; a micro-batch runs as one forward pass per length group of"
                            + " at most the bundle's largest batch. 0 picks: in a DataStream job, the largest batch times the"
                            + " number of sequence lengths the bundle was verified at (at most 4); in SQL, the largest verified"
                            + " batch that fits twice in the rows ML_PREDICT keeps in flight (max-concurrent-operations), which a"
                            + " set value may never exceed.");

    public static final ConfigOption<Duration> BATCH_MAX_WAIT = ConfigOptions.key("batch.max-wait")
            .durationType()
            .defaultValue(Duration.ofMillis(20))
            .withDescription("The longest an event waits for its micro-batch to fill before the batch runs anyway"
                    + " (in SQL: once the model is free; shorter than ML_PREDICT's async timeout).");

    /** Every model option, in the order the docs list them. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> all = new java.util.ArrayList<>(core());
        all.addAll(RedactionOptions.all());
        return List.copyOf(all);
    }

    private static List<ConfigOption<?>> core() {
        return List.of(
                BUNDLE,
                SHARING,
                THREADS,
                SHAPES,
                MAX_LENGTH,
                TRUNCATE,
                LABELS_FILE,
                SCALE,
                TAGGING_AGGREGATION,
                TAGGING_STRIDE,
                TAGGING_IGNORE_LABELS,
                RELOAD_INTERVAL,
                RELOAD_TOPIC,
                RELOAD_BOOTSTRAP_SERVERS,
                RELOAD_LABELS,
                BATCH_MAX_SIZE,
                BATCH_MAX_WAIT);
    }

    /** The options that only apply to token-classification bundles. */
    public static List<ConfigOption<?>> tagging() {
        return List.of(TAGGING_AGGREGATION, TAGGING_STRIDE, TAGGING_IGNORE_LABELS, RedactionOptions.ENABLED);
    }

    private static final Map<ConfigOption<?>, String> JOB_SECTIONS = Map.ofEntries(
            Map.entry(BUNDLE, "model."),
            Map.entry(SHARING, "model."),
            Map.entry(THREADS, "model."),
            Map.entry(SHAPES, "model."),
            Map.entry(MAX_LENGTH, "model."),
            Map.entry(TRUNCATE, "model."),
            Map.entry(RELOAD_INTERVAL, "model."),
            Map.entry(RELOAD_LABELS, "model."),
            Map.entry(RELOAD_TOPIC, "model."),
            Map.entry(RELOAD_BOOTSTRAP_SERVERS, "model."),
            Map.entry(LABELS_FILE, "classify."),
            Map.entry(SCALE, "classify."));

    /** The key a job file gives {@code option}: {@code model.bundle}, {@code classify.scale}, {@code batch.max-size}. */
    public static String jobKey(ConfigOption<?> option) {
        return JOB_SECTIONS.getOrDefault(option, "") + option.key();
    }

    /** A job file's key for labels written inline, a list of {name, description, examples}. */
    public static final String JOB_INLINE_LABELS = "classify.labels";

    /**
     * Reads and checks every model option, and the labels they name (read from their file here, so that
     * a TaskManager needs no copy of it).
     */
    public static ModelSettings read(OptionReader options) {
        String bundleValue = options.nonEmpty(BUNDLE, "must name the bundle folder that bin/torchstream export wrote");
        // A URI of a Flink filesystem (s3://, hdfs://) is read by every TaskManager as it is.
        String bundle = BundleStore.isRemote(bundleValue)
                ? bundleValue
                : options.path(BUNDLE, bundleValue).toString();
        ModelSharing sharing = options.choice(SHARING, ModelSharing.values(), ModelSharing::id);
        int threads = options.get(THREADS, "an integer");
        if (threads < 0) {
            throw options.fail(THREADS, "must be >= 0 (0: cores / the slots that run the model)");
        }
        ShapePolicy shapes = options.choice(SHAPES, ShapePolicy.values(), ShapePolicy::id);
        int maxLength = options.atLeast(MAX_LENGTH, 0);
        boolean truncate = options.get(TRUNCATE, "true or false");
        int batchMaxSize = options.get(BATCH_MAX_SIZE, "an integer");
        if (batchMaxSize < 0) {
            throw options.fail(BATCH_MAX_SIZE, "must be >= 0 (0: " + options.automaticBatchSize() + ")");
        }
        Duration batchMaxWait = options.get(BATCH_MAX_WAIT, "a duration such as 20ms or 1s");
        if (batchMaxWait.isNegative()) {
            throw options.fail(BATCH_MAX_WAIT, "must not be negative");
        }

        double scale = options.get(SCALE, "a number such as 40");
        List<LabelSpec> labels = labels(options);
        if (!labels.isEmpty()) {
            try {
                LabelClassifier.validate(labels, scale);
            } catch (IllegalArgumentException e) {
                throw labelsFailure(options, e.getMessage(), e);
            }
        } else if (options.isSet(SCALE)) {
            throw options.fail(
                    SCALE,
                    "only applies with " + options.name(LABELS_FILE)
                            + (options.inlineLabelsName() == null ? "" : " or " + options.inlineLabelsName())
                            + " (classification by label descriptions)");
        }

        Aggregation aggregation = options.choice(TAGGING_AGGREGATION, Aggregation.values(), Aggregation::id);
        int stride = options.get(TAGGING_STRIDE, "an integer");
        if (stride < -1) {
            throw options.fail(TAGGING_STRIDE, "must be >= 0 (or -1 for a quarter of the model's length)");
        }
        List<String> ignoreLabels = options.get(TAGGING_IGNORE_LABELS, "a list of labels such as O");
        Duration reloadInterval = options.get(RELOAD_INTERVAL, "a duration such as 30s or 5min");
        if (reloadInterval.isNegative()) {
            throw options.fail(RELOAD_INTERVAL, "must not be negative (0: no reload)");
        }
        String reloadLabels = options.get(RELOAD_LABELS, "same or any");
        if (!reloadLabels.equals("same") && !reloadLabels.equals("any")) {
            throw options.fail(RELOAD_LABELS, "expected one of same, any");
        }
        String reloadTopic = options.isSet(RELOAD_TOPIC) ? options.nonEmpty(RELOAD_TOPIC, "must name a topic") : null;
        String reloadBrokers = options.isSet(RELOAD_BOOTSTRAP_SERVERS)
                ? options.nonEmpty(RELOAD_BOOTSTRAP_SERVERS, "must name the brokers, such as localhost:9092")
                : null;
        if (reloadTopic != null && reloadBrokers == null) {
            throw options.fail(RELOAD_BOOTSTRAP_SERVERS, "must be set with " + options.name(RELOAD_TOPIC), null);
        }
        if (reloadTopic == null && reloadBrokers != null) {
            throw options.fail(RELOAD_BOOTSTRAP_SERVERS, "only applies with " + options.name(RELOAD_TOPIC));
        }
        if ((!reloadInterval.isZero() || reloadTopic != null)
                && !BundleStore.of(bundle).isRepository()) {
            throw options.fail(
                    reloadTopic != null ? RELOAD_TOPIC : RELOAD_INTERVAL,
                    "needs a repository of numbered versions: " + bundle + " is not a folder of numbered bundle folders"
                            + " (1/, 2/, ...)");
        }
        RedactionSettings redaction = RedactionOptions.read(options);
        if (redaction.enabled() && aggregation == Aggregation.NONE) {
            throw options.fail(
                    TAGGING_AGGREGATION,
                    "must group tokens into entities for redaction (" + options.name(RedactionOptions.ENABLED)
                            + "): simple, first, average or max");
        }
        return new ModelSettings(
                bundle,
                sharing,
                threads,
                shapes,
                maxLength,
                truncate,
                labels,
                scale,
                new ModelSettings.Tagging(aggregation, stride, ignoreLabels),
                redaction,
                new ModelSettings.Reload(reloadInterval, reloadLabels.equals("same"), reloadTopic, reloadBrokers),
                batchMaxSize,
                batchMaxWait);
    }

    /** Labels from their file or written inline, but not both; empty when neither. */
    private static List<LabelSpec> labels(OptionReader options) {
        List<LabelSpec> inline = options.inlineLabels();
        if (options.isSet(LABELS_FILE)) {
            if (inline != null) {
                throw options.fail(
                        "give either " + options.inlineLabelsName() + " or " + options.name(LABELS_FILE) + ", not both",
                        null);
            }
            Path file = options.path(LABELS_FILE, options.get(LABELS_FILE, "a file"));
            try {
                return LabelsFile.read(file);
            } catch (IllegalArgumentException e) {
                throw options.fail(LABELS_FILE, e.getMessage(), e);
            }
        }
        return inline == null ? List.of() : inline;
    }

    private static RuntimeException labelsFailure(OptionReader options, String problem, Throwable cause) {
        return options.isSet(LABELS_FILE)
                ? options.fail(LABELS_FILE, problem, cause)
                : options.fail(options.inlineLabelsName() + ": " + problem, cause);
    }

    /**
     * Opens the bundle the settings name (of a repository: its highest whole version), failing through the
     * source's reader when there is no usable bundle.
     */
    public static ModelBundle openBundle(ModelSettings settings, OptionReader options) {
        try {
            return openBundle(settings.bundle());
        } catch (BundleException e) {
            throw options.fail(BUNDLE, "is not a usable bundle: " + e.getMessage(), e);
        }
    }

    /**
     * Opens a bundle, or the highest whole version of a repository of numbered versions: a local folder, or
     * a URI of a Flink filesystem (downloaded into the local cache).
     */
    public static ModelBundle openBundle(String location) {
        BundleStore store = BundleStore.of(location);
        if (store.isRepository()) {
            return new ModelRepository(store).start(0).bundle();
        }
        return BundleStore.isRemote(location) ? store.open(0) : ModelBundle.open(Path.of(location));
    }

    /**
     * The micro-batch size when none is set: the largest batch times the number of sequence lengths the
     * model may pick from (at most 4), so that a micro-batch of several forward passes lets events be
     * grouped by length.
     */
    public static int defaultBatchSize(BundleManifest manifest, ShapePolicy shapes) {
        int batch = shapes.shapes(manifest).stream()
                .mapToInt(TraceShape::batch)
                .max()
                .orElseThrow();
        long lengths = shapes.shapes(manifest).stream()
                .mapToInt(TraceShape::seqLen)
                .distinct()
                .count();
        return batch * (int) Math.min(4, lengths);
    }

    /**
     * ML_PREDICT's micro-batch size when none is set: the largest batch the bundle was verified at that
     * fits twice in the rows in flight ({@code maxConcurrent}): while one
     * batch runs, the next can fill, so batches stay full even when the task thread is slow to hand in
     * rows. A batch between verified sizes would be padded to the next one, so those are avoided.
     */
    public static int inFlightBatchSize(List<Integer> bundleBatches, int maxConcurrent) {
        int half = Math.max(1, maxConcurrent / 2);
        int chosen = 0;
        for (int batch : bundleBatches) {
            if (batch <= half) {
                chosen = batch;
            }
        }
        return chosen > 0 ? chosen : Math.min(half, bundleBatches.get(bundleBatches.size() - 1));
    }

    /**
     * The checks that need the bundle: labels need an embedding bundle, tagging options a token-classification
     * bundle whose labels they name, and the bundle must be traced at least {@code max-length} long.
     */
    public static void checkAgainst(ModelBundle bundle, ModelSettings settings, OptionReader options) {
        BundleManifest manifest = bundle.manifest();
        if (!settings.labels().isEmpty() && manifest.task() != Task.EMBEDDING) {
            throw labelsFailure(
                    options,
                    "classifies with an embedding bundle, but " + bundle.directory() + " is a " + manifest.task()
                            + " bundle; remove the labels or use an embedding bundle",
                    null);
        }
        if (manifest.task() == Task.TOKEN_CLASSIFICATION) {
            try {
                TokenTagger.check(
                        bundle,
                        settings.tagging().stride(),
                        Set.copyOf(settings.tagging().ignoreLabels()));
            } catch (IllegalArgumentException e) {
                throw options.fail(e.getMessage(), e);
            }
            if (settings.redaction().enabled()) {
                RedactionOptions.checkTypes(
                        settings.redaction(), ModelSession.entityTypes(manifest, settings.tagging()), options);
            }
        } else {
            for (ConfigOption<?> option : tagging()) {
                if (options.isSet(option)) {
                    throw options.fail(
                            option,
                            "only applies to token-classification bundles: tagging needs a"
                                    + " token-classification bundle, but " + bundle.directory() + " is a "
                                    + manifest.task() + " bundle");
                }
            }
        }
        if (settings.maxLength() > manifest.maxLength()) {
            throw options.fail(
                    options.name(MAX_LENGTH) + " is " + settings.maxLength() + " tokens but "
                            + bundle.directory().resolve(ModelBundle.MANIFEST_FILE) + " was traced at "
                            + manifest.maxLength() + ": longer texts would be cut."
                            + " Re-export the bundle with --seq-len " + settings.maxLength() + " (or lower "
                            + options.name(MAX_LENGTH) + ")",
                    null);
        }
    }
}
