package io.torchstream.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.torchstream.DeadLetter;
import io.torchstream.InferenceBuilder;
import io.torchstream.Label;
import io.torchstream.ModelResult;
import io.torchstream.ModelSpec;
import io.torchstream.Torchstream;
import io.torchstream.internal.bundle.BundleManifest;
import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.bundle.Task;
import io.torchstream.internal.flink.ConsoleLines;
import io.torchstream.internal.flink.DeadLetters;
import io.torchstream.internal.flink.EvenRate;
import io.torchstream.internal.flink.EventContract;
import io.torchstream.internal.flink.GeneratedEvents;
import io.torchstream.internal.flink.JsonLinesFileSink;
import io.torchstream.internal.flink.JsonLinesFormat;
import io.torchstream.internal.flink.KafkaRecords;
import io.torchstream.internal.flink.OutputRecord;
import io.torchstream.internal.flink.ParseFunction;
import io.torchstream.internal.flink.RawEvent;
import io.torchstream.internal.flink.TextEvent;
import io.torchstream.internal.flink.TorchstreamMetrics;
import io.torchstream.internal.session.ModelOptions;
import io.torchstream.internal.session.ModelSession;
import io.torchstream.internal.session.ModelSettings;
import io.torchstream.internal.session.ModelSharing;
import io.torchstream.internal.session.RedactionOptions;
import io.torchstream.internal.task.ShapePolicy;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.PrintSink;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A torchstream job from its validated configuration: source, inference pipeline, sinks. The same
 * main runs on an embedded MiniCluster (plain {@code java}) and on a cluster ({@code flink run}).
 */
public final class TorchstreamJob {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeInformation<TextEvent> TEXT_EVENT = TypeInformation.of(TextEvent.class);
    private static final TypeInformation<OutputRecord> OUTPUT_RECORD = TypeInformation.of(OutputRecord.class);

    private TorchstreamJob() {}

    /** {@code flink run torchstream-job.jar JOB.yaml [--set KEY=VALUE ...]}. */
    public static void main(String[] args) throws Exception {
        JobConfig config = CommandLine.parse(args).config();
        Configuration flink = Configuration.fromMap(config.flink);
        // The client opens the bundle before submitting: s3:// and other Flink filesystems need their plugins
        // (FLINK_PLUGINS_DIR) and options (s3.endpoint, ...) here as on the TaskManagers.
        FileSystem.initialize(flink, PluginUtils.createPluginManagerFromRootFolder(flink));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        BundleManifest manifest = build(env, config);
        long started = System.nanoTime();
        JobExecutionResult result = env.execute(config.name);
        // flink run -d returns at submission; the CLI prints the job id itself.
        if (result.isJobExecutionResult()) {
            System.out.println(JobSummary.of(config, manifest, result, System.nanoTime() - started));
        }
    }

    /** Builds and runs the job, blocking until it ends (bounded inputs) or fails. */
    public static JobSummary execute(JobConfig config) throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(Configuration.fromMap(config.flink));
        BundleManifest manifest = build(env, config);
        long started = System.nanoTime();
        JobExecutionResult result = env.execute(config.name);
        return JobSummary.of(config, manifest, result, System.nanoTime() - started);
    }

    /**
     * Adds the job to {@code env}. The bundle is checked here, on the client, so that a bad bundle
     * fails before anything is submitted.
     */
    public static BundleManifest build(StreamExecutionEnvironment env, JobConfig config) {
        ModelBundle bundle = ModelOptions.openBundle(config.model.bundle());
        config.checkAgainst(bundle);
        env.setParallelism(config.parallelism);
        if (!config.checkpointInterval.isZero()) {
            env.enableCheckpointing(config.checkpointInterval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
        }
        Streams streams = inference(source(env, config), config, bundle.manifest());
        sink(streams.results(), config.output, config, "results");
        sink(streams.deadLetters(), config.deadLetters, config, "dead-letters");
        return bundle.manifest();
    }

    /** What the inference part of a job gives: results, and dead letters with their reasons. */
    public record Streams(DataStream<OutputRecord> results, DataStream<OutputRecord> deadLetters) {}

    /**
     * The inference part of a job: parse and validate, then the model through the typed API ({@link
     * Torchstream}), then JSON. Every record read leaves as exactly one result or one dead letter.
     */
    public static Streams inference(DataStream<RawEvent> raw, JobConfig config, BundleManifest manifest) {
        SingleOutputStreamOperator<TextEvent> events = raw.process(
                        new ParseFunction(config.contract(manifest.textPair()), config.omitOriginalBecause), TEXT_EVENT)
                .name("parse")
                .uid("torchstream-parse");
        ResultJson json =
                new ResultJson(config.idField, config.includeScores, config.keepText ? null : config.textField);
        DataStream<OutputRecord> results;
        DataStream<DeadLetter<TextEvent>> refused;
        switch (ModelSession.outputOf(manifest.task(), !config.labels.isEmpty())) {
            case CLASSIFICATION -> {
                var classified =
                        model(Torchstream.classify(events), config, manifest).build();
                results = classified
                        .map(json::classified, OUTPUT_RECORD)
                        .name("to-json")
                        .uid("torchstream-json");
                refused = Torchstream.deadLetters(classified);
            }
            case ENTITIES -> {
                var tagged = model(Torchstream.tag(events), config, manifest).build();
                results =
                        tagged.map(json::tagged, OUTPUT_RECORD).name("to-json").uid("torchstream-json");
                refused = Torchstream.deadLetters(tagged);
            }
            case EMBEDDING -> {
                var embedded =
                        model(Torchstream.embed(events), config, manifest).build();
                results = embedded.map(json::embedded, OUTPUT_RECORD)
                        .name("to-json")
                        .uid("torchstream-json");
                refused = Torchstream.deadLetters(embedded);
            }
            default -> throw new IllegalStateException(manifest.task().id());
        }
        String omitOriginal = config.omitOriginalBecause;
        DataStream<OutputRecord> deadLetters = events.getSideOutput(ParseFunction.DEAD_LETTERS)
                .union(refused.map(d -> DeadLetters.of(d.getValue().raw(), d.getReason(), omitOriginal), OUTPUT_RECORD)
                        .name("dead-letters-to-json")
                        .uid("torchstream-dead-letters-json"));
        return new Streams(results, deadLetters);
    }

    /** The job's model, batching and text contract on one of the typed builders. */
    private static <R extends ModelResult<TextEvent>, B extends InferenceBuilder<TextEvent, R, B>> B model(
            B builder, JobConfig config, BundleManifest manifest) {
        ModelSpec spec = ModelSpec.bundle(config.model.bundle()).threads(config.threads);
        if (config.sharing == ModelSharing.PER_SLOT) {
            spec = spec.perSlot();
        }
        if (config.shapes == ShapePolicy.TRACED) {
            spec = spec.tracedShapeOnly();
        }
        if (config.maxLength > 0) {
            spec = spec.maxLength(config.maxLength);
        }
        if (!config.model.truncate()) {
            spec = spec.truncate(false);
        }
        ModelSettings.Reload reload = config.model.reload();
        if (reload.topic() != null) {
            spec = spec.reloadFromTopic(reload.bootstrapServers(), reload.topic());
        }
        if (!reload.interval().isZero()) {
            spec = spec.reloadEvery(reload.interval());
        }
        if (reload.enabled() && !reload.sameLabels()) {
            spec = spec.reloadAnyLabels();
        }
        if (!config.labels.isEmpty()) {
            spec = spec.labels(config.labels.stream()
                            .map(l -> new Label(l.name(), l.description(), l.examples()))
                            .toList())
                    .scale(config.labelScale);
        }
        if (manifest.task() == Task.TOKEN_CLASSIFICATION) {
            spec = spec.aggregation(config.tagging.aggregation().id())
                    .stride(config.tagging.stride())
                    .ignoreLabels(config.tagging.ignoreLabels().toArray(String[]::new));
            // The redact.* keys as written: the spec reads them with the same options core, so what the job
            // file was checked against is what the operator runs.
            for (Map.Entry<String, String> e : config.spec().values().entrySet()) {
                if (e.getKey().startsWith("redact.") && !e.getKey().equals(RedactionOptions.ENABLED.key())) {
                    spec = spec.redact(e.getKey().substring("redact.".length()), e.getValue());
                }
            }
            if (config.model.redaction().enabled()) {
                spec = spec.redact();
            }
        }
        B configured = manifest.textPair()
                ? builder.textPair(TextEvent::text, TextEvent::textPair)
                : builder.text(TextEvent::text);
        configured =
                configured.model(spec).name("infer").uid("torchstream-infer").maxTextLength(config.maxBytes);
        if (config.batchMaxSize > 0) {
            configured = configured.batch(config.batchMaxSize, config.batchMaxWait);
        } else {
            configured = configured.batch(ModelOptions.defaultBatchSize(manifest, config.shapes), config.batchMaxWait);
        }
        return config.emptyText == EventContract.EmptyText.PREDICT ? configured.allowEmptyText() : configured;
    }

    /** The job's source: raw records with their coordinates. */
    public static DataStream<RawEvent> source(StreamExecutionEnvironment env, JobConfig config) {
        JobConfig.Input input = config.input;
        if (input.kind() == JobConfig.SourceKind.FILE) {
            if (!Files.isRegularFile(input.path())) {
                throw new JobSpecException(config.spec().file() + ": input.path: " + input.path() + " is not a file");
            }
            FileSource<RawEvent> files = FileSource.forRecordStreamFormat(
                            new JsonLinesFormat(input.path().toString()),
                            new org.apache.flink.core.fs.Path(input.path().toUri()))
                    .build();
            return env.fromSource(
                            files,
                            WatermarkStrategy.noWatermarks(),
                            "file: " + input.path().getFileName())
                    .uid("torchstream-source")
                    .setParallelism(1);
        }
        if (input.kind() == JobConfig.SourceKind.GENERATOR) {
            List<String> texts = new ArrayList<>();
            try {
                for (String line : Files.readAllLines(input.path())) {
                    if (!line.isBlank()) {
                        texts.add(MAPPER.readTree(line).path(config.textField).asText());
                    }
                }
            } catch (IOException e) {
                throw new JobSpecException(
                        config.spec().file() + ": input.generator.texts: cannot read " + input.path() + " ("
                                + e.getMessage() + ")",
                        e);
            }
            DataGeneratorSource<RawEvent> generator = new DataGeneratorSource<>(
                    new GeneratedEvents(texts),
                    input.count() > 0 ? input.count() : Long.MAX_VALUE,
                    input.rate() > 0 ? new EvenRate<>(input.rate()) : RateLimiterStrategy.noOp(),
                    TypeInformation.of(RawEvent.class));
            return env.fromSource(generator, WatermarkStrategy.noWatermarks(), "generator")
                    .uid("torchstream-source");
        }
        OffsetsInitializer start = switch (input.startingOffsets()) {
            case "earliest" -> OffsetsInitializer.earliest();
            case "latest" -> OffsetsInitializer.latest();
            default -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        };
        var builder = KafkaSource.<RawEvent>builder()
                .setBootstrapServers(input.servers())
                .setTopics(input.topic())
                .setGroupId(input.groupId())
                .setStartingOffsets(start)
                .setDeserializer(KafkaRecords.rawEvents())
                // Records of aborted upstream transactions are not events.
                .setProperty("isolation.level", "read_committed");
        if (input.bounded()) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return env.fromSource(builder.build(), WatermarkStrategy.noWatermarks(), "kafka: " + input.topic())
                .uid("torchstream-source");
    }

    /** Writes results or dead letters ({@code what}) where {@code output} says. */
    public static void sink(DataStream<OutputRecord> stream, JobConfig.Output output, JobConfig config, String what) {
        String uid = "torchstream-sink-" + what;
        switch (output.kind()) {
            case PRINT, CONSOLE ->
                stream.map(
                                output.kind() == JobConfig.SinkKind.CONSOLE
                                        ? ConsoleLines::of
                                        : OutputRecord::valueAsString,
                                Types.STRING)
                        .name("to-text-" + what)
                        .uid(uid + "-text")
                        .sinkTo(new PrintSink<>(what.equals("dead-letters")))
                        .name("print: " + what)
                        .uid(uid)
                        .setParallelism(1);
            case FILE -> {
                stream.sinkTo(new JsonLinesFileSink(output.path().toString()))
                        .name("file: " + output.path().getFileName())
                        .uid(uid)
                        .setParallelism(1);
            }
            case KAFKA -> {
                boolean exactlyOnce = config.delivery == JobConfig.Delivery.EXACTLY_ONCE;
                var builder = KafkaSink.<OutputRecord>builder()
                        .setBootstrapServers(output.servers())
                        .setRecordSerializer(KafkaRecords.to(output.topic()))
                        .setDeliveryGuarantee(
                                exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE);
                if (exactlyOnce) {
                    builder.setTransactionalIdPrefix(config.transactionalIdPrefix(what))
                            .setProperty(
                                    "transaction.timeout.ms", String.valueOf(config.transactionTimeout.toMillis()));
                }
                stream.sinkTo(builder.build()).name("kafka: " + output.topic()).uid(uid);
            }
            default -> throw new IllegalStateException(output.kind().name().toLowerCase(Locale.ROOT));
        }
    }

    static long accumulator(JobExecutionResult result, String metric) {
        Object value = result.getAccumulatorResult(TorchstreamMetrics.ACCUMULATOR_PREFIX + metric);
        return value == null ? 0 : ((Number) value).longValue();
    }
}
