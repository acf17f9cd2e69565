package io.torchstream.jobs;

import com.fasterxml.jackson.databind.JsonNode;

import io.torchstream.flink.EventContract;
import io.torchstream.flink.ModelSettings;
import io.torchstream.flink.ModelSharing;
import io.torchstream.task.Aggregation;
import io.torchstream.task.LabelClassifier;
import io.torchstream.task.LabelSpec;
import io.torchstream.task.ShapePolicy;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** A job file, validated in one place and resolved into typed settings. */
public final class JobConfig {

    /** Where events come from. */
    public enum SourceKind { FILE, KAFKA, GENERATOR }

    /** Where results or dead letters go. */
    public enum SinkKind { PRINT, CONSOLE, FILE, KAFKA }

    /** Kafka delivery guarantee of the sinks. */
    public enum Delivery { EXACTLY_ONCE, AT_LEAST_ONCE }

    /** The source: a JSON-lines file, a Kafka topic, or generated events (path: their texts). */
    public record Input(SourceKind kind, Path path, String servers, String topic, String groupId, String startingOffsets,
            boolean bounded, double rate, long count) {}

    /** A sink: stdout, a JSON-lines file, or a Kafka topic. */
    public record Output(SinkKind kind, Path path, String servers, String topic) {}

    private final JobSpec spec;
    private final Configuration conf;

    public final String name;
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
    public final Delivery delivery;
    public final Duration transactionTimeout;
    public final int parallelism;
    public final Duration checkpointInterval;
    public final Map<String, String> flink;

    private JobConfig(JobSpec spec) {
        this.spec = spec;
        checkKnownKeys(spec);
        this.conf = Configuration.fromMap(spec.values());

        name = nonEmpty(JobOptions.NAME);
        bundle = path(JobOptions.MODEL_BUNDLE, true);
        sharing = choice(JobOptions.MODEL_SHARING, Map.of("task-manager", ModelSharing.TASK_MANAGER, "per-slot", ModelSharing.PER_SLOT));
        threads = atLeast(JobOptions.MODEL_THREADS, 0);
        maxLength = atLeast(JobOptions.MODEL_MAX_LENGTH, 0);
        shapes = choice(JobOptions.MODEL_SHAPES, Map.of("verified", ShapePolicy.VERIFIED, "traced", ShapePolicy.TRACED));
        batchMaxSize = atLeast(JobOptions.BATCH_MAX_SIZE, 0);
        batchMaxWait = get(JobOptions.BATCH_MAX_WAIT, "a duration such as 20ms or 1s");
        if (batchMaxWait.isNegative()) {
            throw fail(JobOptions.BATCH_MAX_WAIT, "must not be negative");
        }
        labels = labels(spec);
        labelScale = get(JobOptions.CLASSIFY_SCALE, "a number such as 40");
        try {
            if (!labels.isEmpty()) {
                LabelClassifier.validate(labels, labelScale);
            }
        } catch (IllegalArgumentException e) {
            String where = spec.values().containsKey(JobOptions.CLASSIFY_LABELS_FILE.key())
                    ? JobOptions.CLASSIFY_LABELS_FILE.key() + " " + spec.values().get(JobOptions.CLASSIFY_LABELS_FILE.key())
                    : JobOptions.CLASSIFY_LABELS;
            throw new JobSpecException(spec.file() + ": " + where + ": " + e.getMessage());
        }
        Aggregation aggregation;
        try {
            aggregation = Aggregation.fromId(conf.get(JobOptions.TAGGING_AGGREGATION));
        } catch (IllegalArgumentException e) {
            throw fail(JobOptions.TAGGING_AGGREGATION, e.getMessage().replaceFirst("^unknown aggregation '[^']*': ", ""));
        }
        int stride = get(JobOptions.TAGGING_STRIDE, "an integer");
        if (stride < -1) {
            throw fail(JobOptions.TAGGING_STRIDE, "must be >= 0 (or -1 for a quarter of the model's length)");
        }
        tagging = new ModelSettings.Tagging(aggregation, stride, get(JobOptions.TAGGING_IGNORE_LABELS, "a list of labels such as O"));
        idField = nonEmpty(JobOptions.INPUT_ID_FIELD);
        textField = nonEmpty(JobOptions.INPUT_TEXT_FIELD);
        textPairField = nonEmpty(JobOptions.INPUT_TEXT_PAIR_FIELD);
        MemorySize bytes = get(JobOptions.INPUT_MAX_BYTES, "a size such as 512kb or 1mb");
        if (bytes.getBytes() < 64 || bytes.getBytes() > Integer.MAX_VALUE) {
            throw fail(JobOptions.INPUT_MAX_BYTES, "must be between 64 bytes and 2 GB");
        }
        maxBytes = (int) bytes.getBytes();
        emptyText = choice(JobOptions.INPUT_EMPTY_TEXT,
                Map.of("dead-letter", EventContract.EmptyText.DEAD_LETTER, "predict", EventContract.EmptyText.PREDICT));

        SourceKind sourceKind = choice(JobOptions.INPUT_TYPE,
                Map.of("file", SourceKind.FILE, "kafka", SourceKind.KAFKA, "generator", SourceKind.GENERATOR));
        if (sourceKind == SourceKind.FILE) {
            input = new Input(sourceKind, path(JobOptions.INPUT_PATH, true), null, null, null, null, true, 0, 0);
        } else if (sourceKind == SourceKind.GENERATOR) {
            double rate = get(JobOptions.INPUT_GENERATOR_RATE, "events per second, such as 50");
            long count = get(JobOptions.INPUT_GENERATOR_COUNT, "a number of events, or 0 for no end");
            if (rate < 0 || count < 0) {
                throw fail(rate < 0 ? JobOptions.INPUT_GENERATOR_RATE : JobOptions.INPUT_GENERATOR_COUNT, "must not be negative");
            }
            input = new Input(sourceKind, path(JobOptions.INPUT_GENERATOR_TEXTS, true), null, null, null, null, count > 0, rate, count);
        } else {
            String start = conf.get(JobOptions.INPUT_KAFKA_START);
            if (!Set.of("committed", "earliest", "latest").contains(start)) {
                throw fail(JobOptions.INPUT_KAFKA_START, "expected committed, earliest or latest");
            }
            input = new Input(sourceKind, null, required(JobOptions.INPUT_KAFKA_SERVERS, "input.type is kafka"),
                    required(JobOptions.INPUT_KAFKA_TOPIC, "input.type is kafka"),
                    conf.getOptional(JobOptions.INPUT_KAFKA_GROUP).orElse(name), start,
                    get(JobOptions.INPUT_KAFKA_BOUNDED, "true or false"), 0, 0);
        }
        output = sink(JobOptions.OUTPUT_TYPE, JobOptions.OUTPUT_PATH, JobOptions.OUTPUT_KAFKA_TOPIC);
        deadLetters = sink(JobOptions.DEAD_LETTERS_TYPE, JobOptions.DEAD_LETTERS_PATH, JobOptions.DEAD_LETTERS_KAFKA_TOPIC);
        if (output.kind() == SinkKind.FILE && deadLetters.kind() == SinkKind.FILE && output.path().equals(deadLetters.path())) {
            throw fail(JobOptions.DEAD_LETTERS_PATH, "is the same file as output.path; give dead letters their own file");
        }
        includeScores = get(JobOptions.OUTPUT_SCORES, "true or false");
        delivery = choice(JobOptions.OUTPUT_KAFKA_DELIVERY,
                Map.of("exactly-once", Delivery.EXACTLY_ONCE, "at-least-once", Delivery.AT_LEAST_ONCE));
        transactionTimeout = get(JobOptions.OUTPUT_KAFKA_TX_TIMEOUT, "a duration such as 10min");

        parallelism = atLeast(JobOptions.JOB_PARALLELISM, 1);
        checkpointInterval = get(JobOptions.JOB_CHECKPOINT_INTERVAL, "a duration such as 10s, or 0 for none");
        if (checkpointInterval.isNegative()) {
            throw fail(JobOptions.JOB_CHECKPOINT_INTERVAL, "must not be negative");
        }
        boolean kafkaOut = output.kind() == SinkKind.KAFKA || deadLetters.kind() == SinkKind.KAFKA;
        if (kafkaOut && delivery == Delivery.EXACTLY_ONCE) {
            if (checkpointInterval.isZero()) {
                throw fail(JobOptions.OUTPUT_KAFKA_DELIVERY, "needs checkpointing: set job.checkpoint-interval (such as 10s),"
                        + " or output.kafka.delivery: at-least-once");
            }
            if (transactionTimeout.compareTo(checkpointInterval.multipliedBy(2)) <= 0) {
                throw fail(JobOptions.OUTPUT_KAFKA_TX_TIMEOUT, "must exceed the checkpoint interval (" + checkpointInterval
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

    /** The structured section of the job file at {@code key}. */
    public JsonNode section(String key) {
        return spec.section(key);
    }

    /** The input contract for events, given whether the model reads sentence pairs. */
    public EventContract contract(boolean requirePair) {
        return new EventContract(idField, textField, textPairField, requirePair, maxBytes, emptyText);
    }

    private Output sink(ConfigOption<String> type, ConfigOption<String> path, ConfigOption<String> topic) {
        SinkKind kind = choice(type, Map.of("print", SinkKind.PRINT, "console", SinkKind.CONSOLE, "file", SinkKind.FILE,
                "kafka", SinkKind.KAFKA));
        String why = type.key() + " is " + kind.name().toLowerCase(Locale.ROOT);
        return switch (kind) {
            case PRINT, CONSOLE -> new Output(kind, null, null, null);
            case FILE -> new Output(kind, path(path, true), null, null);
            case KAFKA -> new Output(kind, null, conf.getOptional(JobOptions.OUTPUT_KAFKA_SERVERS)
                    .or(() -> conf.getOptional(JobOptions.INPUT_KAFKA_SERVERS))
                    .orElseThrow(() -> fail(JobOptions.OUTPUT_KAFKA_SERVERS, "is required when " + why)), required(topic, why));
        };
    }

    /** Labels inline ({@code classify.labels}) or from a file ({@code classify.labels-file}), but not both. */
    private static List<LabelSpec> labels(JobSpec spec) {
        String key = JobOptions.CLASSIFY_LABELS;
        JsonNode inline = spec.section("classify").path("labels");
        String file = spec.values().get(JobOptions.CLASSIFY_LABELS_FILE.key());
        boolean hasInline = !inline.isMissingNode() && !inline.isNull() || spec.values().containsKey(key);
        if (file != null && hasInline) {
            throw new JobSpecException(spec.file() + ": give either " + key + " or " + JobOptions.CLASSIFY_LABELS_FILE.key()
                    + ", not both");
        }
        if (file != null) {
            Path path = spec.resolvePath(JobOptions.CLASSIFY_LABELS_FILE.key(), file);
            JobSpec labels;
            try {
                labels = JobSpec.load(path);
            } catch (JobSpecException e) {
                throw new JobSpecException(spec.file() + ": " + JobOptions.CLASSIFY_LABELS_FILE.key() + ": " + e.getMessage(), e);
            }
            JsonNode list = labels.section("labels");
            if (!list.isArray()) {
                throw new JobSpecException(path + ": expected a top-level 'labels' list of {name, description, examples}");
            }
            return parseLabels(path + ": labels", list);
        }
        if (!hasInline) {
            return List.of();
        }
        if (!inline.isArray()) {
            throw new JobSpecException(spec.file() + ": " + key + " must be a list of {name, description, examples}");
        }
        List<LabelSpec> labels = parseLabels(spec.file() + ": " + key, inline);
        if (labels.isEmpty()) {
            throw new JobSpecException(spec.file() + ": " + key + ": no labels: give at least one label with a name and a"
                    + " description, or remove the key to emit embeddings");
        }
        return labels;
    }

    private static List<LabelSpec> parseLabels(String origin, JsonNode list) {
        List<LabelSpec> labels = new ArrayList<>();
        for (JsonNode item : list) {
            String where = origin + "[" + labels.size() + "]";
            if (!item.isObject()) {
                throw new JobSpecException(where + " must be an object with name, description and examples");
            }
            item.fieldNames().forEachRemaining(f -> {
                if (!Set.of("name", "description", "examples").contains(f)) {
                    throw new JobSpecException(where + ": unknown field '" + f + "'; expected name, description, examples");
                }
            });
            List<String> examples = new ArrayList<>();
            JsonNode ex = item.path("examples");
            if (!ex.isMissingNode() && !ex.isNull()) {
                if (!ex.isArray()) {
                    throw new JobSpecException(where + ": examples must be a list of texts");
                }
                for (JsonNode e : ex) {
                    if (!e.isTextual()) {
                        throw new JobSpecException(where + ": examples must be texts, found " + e);
                    }
                    examples.add(e.asText());
                }
            }
            labels.add(new LabelSpec(item.path("name").asText(null), item.path("description").asText(null), examples));
        }
        return List.copyOf(labels);
    }

    private static void checkKnownKeys(JobSpec spec) {
        Set<String> known = JobOptions.all().stream().map(ConfigOption::key).collect(Collectors.toCollection(TreeSet::new));
        for (String key : spec.values().keySet()) {
            if (!known.contains(key) && !key.startsWith(JobOptions.FLINK_PREFIX) && !StructuredKeys.isStructured(key)) {
                String closest = known.stream().min(Comparator.comparingInt(k -> distance(k, key))).orElse("");
                throw new JobSpecException(spec.file() + ": unknown key '" + key + "'"
                        + (distance(closest, key) <= 3 ? " (did you mean '" + closest + "'?)" : "")
                        + "; known keys: " + String.join(", ", known) + ", and flink.* for Flink's own configuration");
            }
        }
    }

    private <T> T get(ConfigOption<T> option, String expected) {
        try {
            return conf.get(option);
        } catch (IllegalArgumentException e) {
            throw new JobSpecException(spec.file() + ": " + option.key() + ": '" + spec.values().get(option.key())
                    + "' is not valid; expected " + expected, e);
        }
    }

    private int atLeast(ConfigOption<Integer> option, int min) {
        int value = get(option, "an integer");
        if (value < min) {
            throw fail(option, "must be >= " + min);
        }
        return value;
    }

    private String nonEmpty(ConfigOption<String> option) {
        String value = conf.get(option);
        if (value == null || value.isBlank()) {
            throw fail(option, "must not be empty");
        }
        return value;
    }

    private String required(ConfigOption<String> option, String because) {
        return conf.getOptional(option).filter(v -> !v.isBlank())
                .orElseThrow(() -> fail(option, "is required when " + because));
    }

    private Path path(ConfigOption<String> option, boolean required) {
        String value = conf.getOptional(option).filter(v -> !v.isBlank()).orElse(null);
        if (value == null) {
            if (required) {
                throw fail(option, "is required");
            }
            return null;
        }
        return spec.resolvePath(option.key(), value);
    }

    private <T> T choice(ConfigOption<String> option, Map<String, T> choices) {
        String value = conf.get(option);
        if (value == null) {
            throw fail(option, "is required; expected one of " + String.join(", ", new TreeSet<>(choices.keySet())));
        }
        T chosen = choices.get(value);
        if (chosen == null) {
            throw fail(option, "expected one of " + String.join(", ", new TreeSet<>(choices.keySet())));
        }
        return chosen;
    }

    private JobSpecException fail(ConfigOption<?> option, String problem) {
        String value = spec.values().get(option.key());
        return new JobSpecException(spec.file() + ": " + option.key() + (value == null ? "" : ": '" + value + "'") + " " + problem);
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

    /** Keys whose values are structured sections, read from the tree rather than as strings. */
    static final class StructuredKeys {
        private static final List<String> PREFIXES = List.of(JobOptions.CLASSIFY_LABELS);

        static boolean isStructured(String key) {
            return PREFIXES.stream().anyMatch(key::startsWith);
        }
    }
}
