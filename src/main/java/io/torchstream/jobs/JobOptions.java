package io.torchstream.jobs;

import io.torchstream.internal.session.ModelOptions;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The keys of a job file (jobs/*.yaml) beyond the model's (which {@link ModelOptions} describes, under
 * {@code model.}, {@code classify.}, {@code tagging.} and {@code batch.}), by their dotted paths. {@code
 * --set KEY=VALUE} overrides any of them; {@link JobConfig} validates them all in one place.
 */
public final class JobOptions {

    private JobOptions() {}

    public static final ConfigOption<String> NAME = ConfigOptions.key("name")
            .stringType()
            .noDefaultValue()
            .withDescription(
                    "The Flink job name, and the default Kafka group id and transactional id prefix, so that two"
                            + " jobs must have different names. Default: the job file's name without .yaml (a warning says so).");

    // --- model, classify, tagging, batch: the model options, under their job-file keys (ModelOptions)

    /**
     * Not a flat option: a list of {name, description, examples} objects. Each label's prototype is the
     * normalised sum of the embeddings of its description and examples; events are classified by
     * cosine similarity. Needs an embedding bundle. Without it, embedding bundles emit their vectors.
     */
    public static final String CLASSIFY_LABELS = ModelOptions.JOB_INLINE_LABELS;

    // --- input

    public static final ConfigOption<String> INPUT_TYPE = ConfigOptions.key("input.type")
            .stringType()
            .noDefaultValue()
            .withDescription(
                    "'file' (JSON lines), 'kafka', or 'generator' (events made from a file of texts, for load runs).");
    public static final ConfigOption<String> INPUT_GENERATOR_TEXTS = ConfigOptions.key("input.generator.texts")
            .stringType()
            .noDefaultValue()
            .withDescription("A JSON-lines file whose 'text' fields the generator cycles through.");
    public static final ConfigOption<Double> INPUT_GENERATOR_RATE = ConfigOptions.key("input.generator.rate")
            .doubleType()
            .defaultValue(0.0)
            .withDescription("Generated events per second, all subtasks together; 0: as fast as the job takes them.");
    public static final ConfigOption<Long> INPUT_GENERATOR_COUNT = ConfigOptions.key("input.generator.count")
            .longType()
            .defaultValue(0L)
            .withDescription("Events to generate; 0: without end.");
    public static final ConfigOption<String> INPUT_PATH = ConfigOptions.key("input.path")
            .stringType()
            .noDefaultValue()
            .withDescription("The JSON-lines file, for input.type file.");
    public static final ConfigOption<String> INPUT_ID_FIELD = ConfigOptions.key("input.id-field")
            .stringType()
            .defaultValue("id")
            .withDescription(
                    "The event field with the id (string or integer). Events without one get their source position.");
    public static final ConfigOption<String> INPUT_TEXT_FIELD = ConfigOptions.key("input.text-field")
            .stringType()
            .defaultValue("text")
            .withDescription("The event field with the text.");
    public static final ConfigOption<String> INPUT_TEXT_PAIR_FIELD = ConfigOptions.key("input.text-pair-field")
            .stringType()
            .defaultValue("text_pair")
            .withDescription("The event field with the second segment, for sentence-pair models.");
    public static final ConfigOption<MemorySize> INPUT_MAX_BYTES = ConfigOptions.key("input.max-bytes")
            .memoryType()
            .defaultValue(MemorySize.parse("1mb"))
            .withDescription("Larger records go to the dead letters.");
    public static final ConfigOption<String> INPUT_EMPTY_TEXT = ConfigOptions.key("input.empty-text")
            .stringType()
            .defaultValue("dead-letter")
            .withDescription("What an empty or blank text gets: 'dead-letter' or 'predict'.");
    public static final ConfigOption<String> INPUT_KAFKA_SERVERS = ConfigOptions.key("input.kafka.bootstrap-servers")
            .stringType()
            .noDefaultValue()
            .withDescription("Kafka bootstrap servers, for input.type kafka.");
    public static final ConfigOption<String> INPUT_KAFKA_TOPIC =
            ConfigOptions.key("input.kafka.topic").stringType().noDefaultValue().withDescription("The topic to read.");
    public static final ConfigOption<String> INPUT_KAFKA_GROUP = ConfigOptions.key("input.kafka.group-id")
            .stringType()
            .noDefaultValue()
            .withDescription("The consumer group (default: the job name).");
    public static final ConfigOption<String> INPUT_KAFKA_START = ConfigOptions.key("input.kafka.starting-offsets")
            .stringType()
            .defaultValue("committed")
            .withDescription("'committed' (the group's offsets, else earliest), 'earliest' or 'latest'.");
    public static final ConfigOption<Boolean> INPUT_KAFKA_BOUNDED = ConfigOptions.key("input.kafka.bounded")
            .booleanType()
            .defaultValue(false)
            .withDescription("Stop at the offsets that are latest when the job starts.");

    // --- outputs

    public static final ConfigOption<String> OUTPUT_TYPE = ConfigOptions.key("output.type")
            .stringType()
            .noDefaultValue()
            .withDescription(
                    "'print' (JSON lines on stdout), 'console' (one readable line per result on stdout), 'file'"
                            + " (JSON lines) or 'kafka'.");
    public static final ConfigOption<String> OUTPUT_PATH = ConfigOptions.key("output.path")
            .stringType()
            .noDefaultValue()
            .withDescription(
                    "The JSON-lines file, for output.type file. It is replaced when the job starts (not when it restores a checkpoint).");
    public static final ConfigOption<Boolean> OUTPUT_SCORES = ConfigOptions.key("output.scores")
            .booleanType()
            .defaultValue(true)
            .withDescription("Whether classification results carry every label's score.");
    public static final ConfigOption<Boolean> OUTPUT_KEEP_TEXT = ConfigOptions.key("output.keep-text")
            .booleanType()
            .noDefaultValue()
            .withDescription("Whether results carry the input's text field. Default: true, but false when the model"
                    + " redacts (redact.enabled), so that the original text does not leave the job; results carry"
                    + " 'redacted' instead.");
    public static final ConfigOption<String> OUTPUT_KAFKA_SERVERS = ConfigOptions.key("output.kafka.bootstrap-servers")
            .stringType()
            .noDefaultValue()
            .withDescription("Kafka bootstrap servers for results (default: the input's).");
    public static final ConfigOption<String> OUTPUT_KAFKA_TOPIC = ConfigOptions.key("output.kafka.topic")
            .stringType()
            .noDefaultValue()
            .withDescription("The results topic.");
    public static final ConfigOption<String> OUTPUT_KAFKA_DELIVERY = ConfigOptions.key("output.kafka.delivery")
            .stringType()
            .defaultValue("exactly-once")
            .withDescription("'exactly-once' (Kafka transactions committed on checkpoints; readers"
                    + " use isolation.level=read_committed) or 'at-least-once'. Applies to the dead-letter topic too.");
    public static final ConfigOption<Duration> OUTPUT_KAFKA_TX_TIMEOUT = ConfigOptions.key(
                    "output.kafka.transaction-timeout")
            .durationType()
            .defaultValue(Duration.ofMinutes(10))
            .withDescription(
                    "Kafka transaction timeout for exactly-once; must exceed the checkpoint interval plus the time a"
                            + " restart takes, and not exceed the broker's transaction.max.timeout.ms (15 min by default).");

    public static final ConfigOption<String> DEAD_LETTERS_TYPE = ConfigOptions.key("dead-letters.type")
            .stringType()
            .noDefaultValue()
            .withDescription("'print', 'file' or 'kafka': where refused records go, with their reasons.");
    public static final ConfigOption<String> DEAD_LETTERS_PATH = ConfigOptions.key("dead-letters.path")
            .stringType()
            .noDefaultValue()
            .withDescription(
                    "The JSON-lines file, for dead-letters.type file. It is replaced when the job starts (not when it restores a checkpoint).");
    public static final ConfigOption<Boolean> DEAD_LETTERS_INCLUDE_ORIGINAL = ConfigOptions.key(
                    "dead-letters.include-original")
            .booleanType()
            .noDefaultValue()
            .withDescription("Whether dead letters carry the refused record (original, original_base64). Default:"
                    + " true, but false when the model redacts (redact.enabled): the reason then says what was left"
                    + " out, and the source, partition and offset say where to find it.");
    public static final ConfigOption<String> DEAD_LETTERS_KAFKA_TOPIC = ConfigOptions.key("dead-letters.kafka.topic")
            .stringType()
            .noDefaultValue()
            .withDescription("The dead-letter topic (the results' Kafka servers and delivery).");

    // --- job

    public static final ConfigOption<Integer> JOB_PARALLELISM = ConfigOptions.key("job.parallelism")
            .intType()
            .defaultValue(2)
            .withDescription("Parallel instances of the inference operator (and the job).");
    public static final ConfigOption<Duration> JOB_CHECKPOINT_INTERVAL = ConfigOptions.key("job.checkpoint-interval")
            .durationType()
            .defaultValue(Duration.ZERO)
            .withDescription("Checkpoint interval; 0 turns checkpointing off. Exactly-once Kafka output needs it on.");

    /** Keys under this prefix go to Flink's own configuration, without the prefix. */
    public static final String FLINK_PREFIX = "flink.";

    /** The key a job file gives {@code option}, a model option or one declared here. */
    public static String key(ConfigOption<?> option) {
        return ModelOptions.all().contains(option) ? ModelOptions.jobKey(option) : option.key();
    }

    /** Every key a job file may set: the model options' and those declared here. */
    public static List<String> keys() {
        List<String> keys = new ArrayList<>();
        ModelOptions.all().forEach(o -> keys.add(ModelOptions.jobKey(o)));
        all().forEach(o -> keys.add(o.key()));
        return keys;
    }

    /** Every option declared above. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field field : JobOptions.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigOption.class) {
                try {
                    options.add((ConfigOption<?>) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return Collections.unmodifiableList(options);
    }
}
