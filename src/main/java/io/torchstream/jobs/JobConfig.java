package io.torchstream.jobs;

import com.fasterxml.jackson.databind.JsonNode;

import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.flink.EventContract;
import io.torchstream.internal.session.LabelsFile;
import io.torchstream.internal.session.ModelOptions;
import io.torchstream.internal.session.ModelSettings;
import io.torchstream.internal.session.ModelSharing;
import io.torchstream.internal.session.OptionReader;
import io.torchstream.internal.session.RedactionOptions;
import io.torchstream.internal.task.LabelSpec;
import io.torchstream.internal.task.ShapePolicy;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A job file, validated in one place and resolved into typed settings. */
public final class JobConfig {

    private static final Logger LOG = LoggerFactory.getLogger(JobConfig.class);

    /** Where events come from. */
    public enum SourceKind {
        FILE,
        KAFKA,
        GENERATOR
    }

    /** Where results or dead letters go. */
    public enum SinkKind {
        PRINT,
        CONSOLE,
        FILE,
        KAFKA
    }

    /** Kafka delivery guarantee of the sinks. */
    public enum Delivery {
        EXACTLY_ONCE,
        AT_LEAST_ONCE
    }

    /** The source: a JSON-lines file, a Kafka topic, or generated events (path: their texts). */
    public record Input(
            SourceKind kind,
            Path path,
            String servers,
            String topic,
            String groupId,
            String startingOffsets,
            boolean bounded,
            double rate,
            long count) {}

    /** A sink: stdout, a JSON-lines file, or a Kafka topic. */
    public record Output(SinkKind kind, Path path, String servers, String topic) {}

    private final JobSpec spec;
    private final FileOptions options;

    public final String name;
    public final ModelSettings model;
    public final Path bundle;
    public final ModelSharing sharing;
    public final int threads;
    public final ShapePolicy shapes;
    public final int maxLength;
    public final int batchMaxSize;
    public final Duration batchMaxWait;
    public final String idField;
    public final String textField;
    public final String textPairField;
    public final int maxBytes;
    public final EventContract.EmptyText emptyText;
    public final List<LabelSpec> labels;
    public final double labelScale;
    public final ModelSettings.Tagging tagging;
    public final Input input;
    public final Output output;
    public final Output deadLetters;
    public final boolean includeScores;
    /** Whether results carry the input's text field. */
    public final boolean keepText;
    /** Why dead letters leave out the original record, or null when they carry it. */
    public final String omitOriginalBecause;

    public final Delivery delivery;
    public final Duration transactionTimeout;
    public final int parallelism;
    public final Duration checkpointInterval;
    public final Map<String, String> flink;

    private JobConfig(JobSpec spec) {
        this.spec = spec;
        checkKnownKeys(spec);
        options = new FileOptions(spec);

        name = jobName(spec, options);
        model = ModelOptions.read(options);
        bundle = Path.of(model.bundle());
        sharing = model.sharing();
        threads = model.threads();
        shapes = model.shapes();
        maxLength = model.maxLength();
        batchMaxSize = model.batchMaxSize();
        batchMaxWait = model.batchMaxWait();
        labels = model.labels();
        labelScale = model.labelScale();
        tagging = model.tagging();

        idField = options.nonEmpty(JobOptions.INPUT_ID_FIELD, "must not be empty");
        textField = options.nonEmpty(JobOptions.INPUT_TEXT_FIELD, "must not be empty");
        textPairField = options.nonEmpty(JobOptions.INPUT_TEXT_PAIR_FIELD, "must not be empty");
        MemorySize bytes = options.get(JobOptions.INPUT_MAX_BYTES, "a size such as 512kb or 1mb");
        if (bytes.getBytes() < 64 || bytes.getBytes() > Integer.MAX_VALUE) {
            throw options.fail(JobOptions.INPUT_MAX_BYTES, "must be between 64 bytes and 2 GB");
        }
        maxBytes = (int) bytes.getBytes();
        emptyText = options.choice(JobOptions.INPUT_EMPTY_TEXT, EventContract.EmptyText.values(), JobConfig::id);

        SourceKind sourceKind = options.choice(JobOptions.INPUT_TYPE, SourceKind.values(), JobConfig::id);
        if (sourceKind == SourceKind.FILE) {
            input = new Input(sourceKind, path(JobOptions.INPUT_PATH), null, null, null, null, true, 0, 0);
        } else if (sourceKind == SourceKind.GENERATOR) {
            double rate = options.get(JobOptions.INPUT_GENERATOR_RATE, "events per second, such as 50");
            long count = options.get(JobOptions.INPUT_GENERATOR_COUNT, "a number of events, or 0 for no end");
            if (rate < 0 || count < 0) {
                throw options.fail(
                        rate < 0 ? JobOptions.INPUT_GENERATOR_RATE : JobOptions.INPUT_GENERATOR_COUNT,
                        "must not be negative");
            }
            input = new Input(
                    sourceKind, path(JobOptions.INPUT_GENERATOR_TEXTS), null, null, null, null, count > 0, rate, count);
        } else {
            String start = options.get(JobOptions.INPUT_KAFKA_START, "a text");
            if (!Set.of("committed", "earliest", "latest").contains(start)) {
                throw options.fail(JobOptions.INPUT_KAFKA_START, "expected committed, earliest or latest");
            }
            String group = options.get(JobOptions.INPUT_KAFKA_GROUP, "a text");
            input = new Input(
                    sourceKind,
                    null,
                    required(JobOptions.INPUT_KAFKA_SERVERS, "input.type is kafka"),
                    required(JobOptions.INPUT_KAFKA_TOPIC, "input.type is kafka"),
                    group == null || group.isBlank() ? name : group,
                    start,
                    options.get(JobOptions.INPUT_KAFKA_BOUNDED, "true or false"),
                    0,
                    0);
        }
        output = sink(JobOptions.OUTPUT_TYPE, JobOptions.OUTPUT_PATH, JobOptions.OUTPUT_KAFKA_TOPIC);
        deadLetters =
                sink(JobOptions.DEAD_LETTERS_TYPE, JobOptions.DEAD_LETTERS_PATH, JobOptions.DEAD_LETTERS_KAFKA_TOPIC);
        if (output.kind() == SinkKind.FILE
                && deadLetters.kind() == SinkKind.FILE
                && output.path().equals(deadLetters.path())) {
            throw options.fail(
                    JobOptions.DEAD_LETTERS_PATH, "is the same file as output.path; give dead letters their own file");
        }
        includeScores = options.get(JobOptions.OUTPUT_SCORES, "true or false");
        boolean redacts = model.redaction().enabled();
        Boolean keep = options.get(JobOptions.OUTPUT_KEEP_TEXT, "true or false");
        keepText = keep == null ? !redacts : keep;
        Boolean includeOriginal = options.get(JobOptions.DEAD_LETTERS_INCLUDE_ORIGINAL, "true or false");
        omitOriginalBecause = (includeOriginal == null ? !redacts : includeOriginal)
                ? null
                : redacts && includeOriginal == null
                        ? "the job redacts personal data; dead-letters.include-original: true keeps it"
                        : "dead-letters.include-original is false";
        delivery = options.choice(JobOptions.OUTPUT_KAFKA_DELIVERY, Delivery.values(), JobConfig::id);
        transactionTimeout = options.get(JobOptions.OUTPUT_KAFKA_TX_TIMEOUT, "a duration such as 10min");

        parallelism = options.atLeast(JobOptions.JOB_PARALLELISM, 1);
        checkpointInterval = options.get(JobOptions.JOB_CHECKPOINT_INTERVAL, "a duration such as 10s, or 0 for none");
        if (checkpointInterval.isNegative()) {
            throw options.fail(JobOptions.JOB_CHECKPOINT_INTERVAL, "must not be negative");
        }
        boolean kafkaOut = output.kind() == SinkKind.KAFKA || deadLetters.kind() == SinkKind.KAFKA;
        if (kafkaOut && delivery == Delivery.EXACTLY_ONCE) {
            if (checkpointInterval.isZero()) {
                throw options.fail(
                        JobOptions.OUTPUT_KAFKA_DELIVERY,
                        "needs checkpointing: set job.checkpoint-interval (such as"
                                + " 10s), or output.kafka.delivery: at-least-once");
            }
            if (transactionTimeout.compareTo(checkpointInterval.multipliedBy(2)) <= 0) {
                throw options.fail(
                        JobOptions.OUTPUT_KAFKA_TX_TIMEOUT,
                        "must exceed the checkpoint interval (" + checkpointInterval
                                + ") plus the time a restart takes; transactions would expire before they commit");
            }
        }

        Map<String, String> flinkConf = new LinkedHashMap<>();
        spec.values().forEach((k, v) -> {
            if (k.startsWith(JobOptions.FLINK_PREFIX)) {
                flinkConf.put(k.substring(JobOptions.FLINK_PREFIX.length()), v);
            }
        });
        flink = flinkConf;
    }

    /** Validates a job spec. */
    public static JobConfig from(JobSpec spec) {
        return new JobConfig(spec);
    }

    public JobSpec spec() {
        return spec;
    }

    /** The model options' checks that need the bundle, failing with this file's keys. */
    public void checkAgainst(ModelBundle bundle) {
        ModelOptions.checkAgainst(bundle, model, options);
    }

    /** The input contract for events, given whether the model reads sentence pairs. */
    public EventContract contract(boolean requirePair) {
        return new EventContract(idField, textField, textPairField, requirePair, maxBytes, emptyText);
    }

    /** The prefix of the job's Kafka transactional ids for results or dead letters ({@code what}). */
    public String transactionalIdPrefix(String what) {
        return name + "-" + what;
    }

    /**
     * The job's name: as set, else the job file's name. It is also the default consumer group and the
     * transactional-id prefix, so two jobs that share a name fence each other's transactions.
     */
    private static String jobName(JobSpec spec, OptionReader options) {
        if (options.isSet(JobOptions.NAME)) {
            return options.nonEmpty(JobOptions.NAME, "must not be empty");
        }
        String file = spec.file().getFileName().toString();
        String name = file.replaceFirst("\\.ya?ml$", "");
        LOG.warn(
                "{}: no name is set, so the job is named '{}' after its file; its Kafka group id and transactional ids"
                        + " derive from the name, and two running jobs of one name fence each other's transactions: set name",
                spec.file(),
                name);
        return name;
    }

    private Output sink(ConfigOption<String> type, ConfigOption<String> path, ConfigOption<String> topic) {
        SinkKind kind = options.choice(type, SinkKind.values(), JobConfig::id);
        String why = type.key() + " is " + id(kind);
        return switch (kind) {
            case PRINT, CONSOLE -> new Output(kind, null, null, null);
            case FILE -> new Output(kind, path(path), null, null);
            case KAFKA -> {
                String servers = options.get(JobOptions.OUTPUT_KAFKA_SERVERS, "a text");
                if (servers == null || servers.isBlank()) {
                    servers = options.get(JobOptions.INPUT_KAFKA_SERVERS, "a text");
                }
                if (servers == null || servers.isBlank()) {
                    throw options.fail(JobOptions.OUTPUT_KAFKA_SERVERS, "is required when " + why);
                }
                yield new Output(kind, null, servers, required(topic, why));
            }
        };
    }

    private String required(ConfigOption<String> option, String because) {
        String value = options.get(option, "a text");
        if (value == null || value.isBlank()) {
            throw options.fail(option, "is required when " + because);
        }
        return value;
    }

    private Path path(ConfigOption<String> option) {
        String value = options.get(option, "a path");
        if (value == null || value.isBlank()) {
            throw options.fail(option, "is required");
        }
        return options.path(option, value);
    }

    /** A choice's name in job files: {@code EXACTLY_ONCE} is {@code exactly-once}. */
    static String id(Enum<?> choice) {
        return choice.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static void checkKnownKeys(JobSpec spec) {
        Set<String> known = new TreeSet<>(JobOptions.keys());
        for (String key : spec.keys()) {
            if (!known.contains(key)
                    && !key.startsWith(JobOptions.FLINK_PREFIX)
                    // Checked by the redaction options, which know the settings a type may have.
                    && !key.startsWith(RedactionOptions.TYPES_PREFIX)
                    && !key.equals(JobOptions.CLASSIFY_LABELS)) {
                known.add(JobOptions.CLASSIFY_LABELS);
                String closest = known.stream()
                        .min(Comparator.comparingInt(k -> distance(k, key)))
                        .orElse("");
                throw new JobSpecException(spec.file() + ": unknown key '" + key + "'"
                        + (distance(closest, key) <= 3 ? " (did you mean '" + closest + "'?)" : "")
                        + "; known keys: " + String.join(", ", known) + ", and flink.* for Flink's own configuration");
            }
        }
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** A job file's options: named by their dotted keys, paths relative to the file (or the command line's directory). */
    private static final class FileOptions extends OptionReader {
        private final JobSpec spec;

        FileOptions(JobSpec spec) {
            this.spec = spec;
        }

        @Override
        public String raw(ConfigOption<?> option) {
            return spec.values().get(JobOptions.key(option));
        }

        @Override
        protected Set<String> keys() {
            return spec.keys();
        }

        @Override
        public String origin() {
            return spec.file().toString();
        }

        @Override
        public String name(ConfigOption<?> option) {
            return JobOptions.key(option);
        }

        @Override
        protected String describe(ConfigOption<?> option, String value, String problem) {
            return spec.file() + ": " + name(option) + (value == null ? "" : ": '" + value + "'") + " " + problem;
        }

        @Override
        protected RuntimeException error(String message, Throwable cause) {
            return new JobSpecException(message, cause);
        }

        @Override
        public Path path(ConfigOption<String> option, String value) {
            return spec.resolvePath(name(option), value);
        }

        @Override
        public List<LabelSpec> inlineLabels() {
            String key = JobOptions.CLASSIFY_LABELS;
            JsonNode inline = spec.structured(key);
            if (inline.isMissingNode() && !spec.values().containsKey(key)) {
                return null;
            }
            List<LabelSpec> labels;
            if (inline.isMissingNode()) {
                // A flat value: an empty YAML list, or text from --set.
                if (!spec.values().get(key).isEmpty()) {
                    throw new JobSpecException(
                            spec.file() + ": " + key + " must be a list of {name, description, examples}");
                }
                labels = List.of();
            } else {
                try {
                    labels = LabelsFile.parse(spec.file() + ": " + key, inline);
                } catch (IllegalArgumentException e) {
                    throw new JobSpecException(e.getMessage(), e);
                }
            }
            if (labels.isEmpty()) {
                throw new JobSpecException(
                        spec.file() + ": " + key + ": no labels: give at least one label with a name and a"
                                + " description, or remove the key to emit embeddings");
            }
            return labels;
        }
    }
}
