package io.torchstream.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.torchstream.bundle.BundleManifest;
import io.torchstream.bundle.ModelBundle;
import io.torchstream.bundle.Task;
import io.torchstream.bundle.TraceShape;
import io.torchstream.flink.GeneratedEvents;
import io.torchstream.flink.InferencePipeline;
import io.torchstream.flink.JsonLinesFileSink;
import io.torchstream.flink.JsonLinesFormat;
import io.torchstream.flink.KafkaRecords;
import io.torchstream.flink.ModelSettings;
import io.torchstream.flink.OutputRecord;
import io.torchstream.flink.RawEvent;
import io.torchstream.flink.TorchstreamMetrics;
import io.torchstream.flink.ConsoleLines;
import io.torchstream.task.ShapePolicy;
import io.torchstream.task.TokenTagger;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.PrintSink;

import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A torchstream job from its validated configuration: source, inference pipeline, sinks. The same
 * main runs on an embedded MiniCluster (plain {@code java}) and on a cluster ({@code flink run}).
 */
public final class TorchstreamJob {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TorchstreamJob() {}

    /** {@code flink run torchstream-job.jar JOB.yaml [--set KEY=VALUE ...]}. */
    public static void main(String[] args) throws Exception {
        JobConfig config = CommandLine.parse(args).config();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(Configuration.fromMap(config.flink));
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
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(Configuration.fromMap(config.flink));
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
        ModelBundle bundle = ModelBundle.open(config.bundle);
        BundleManifest manifest = bundle.manifest();
        if (!config.labels.isEmpty() && manifest.task() != Task.EMBEDDING) {
            throw new JobSpecException(config.spec().file() + ": " + JobOptions.CLASSIFY_LABELS + " classifies with an embedding"
                    + " bundle, but " + config.bundle + " is a " + manifest.task() + " bundle; remove the labels or use an"
                    + " embedding bundle");
        }
        boolean taggingJob = config.spec().values().keySet().stream().anyMatch(k -> k.startsWith("tagging."));
        if (manifest.task() == Task.TOKEN_CLASSIFICATION || taggingJob) {
            try {
                TokenTagger.check(bundle, config.tagging.stride(), Set.copyOf(config.tagging.ignoreLabels()));
            } catch (IllegalArgumentException e) {
                throw new JobSpecException(config.spec().file() + ": " + e.getMessage());
            }
        }
        env.setParallelism(config.parallelism);
        if (!config.checkpointInterval.isZero()) {
            env.enableCheckpointing(config.checkpointInterval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
        }
        if (config.maxLength > manifest.maxLength()) {
            throw new JobSpecException(config.spec().file() + ": " + JobOptions.MODEL_MAX_LENGTH.key() + " is " + config.maxLength
                    + " tokens but " + bundle.directory().resolve(ModelBundle.MANIFEST_FILE) + " was traced at "
                    + manifest.maxLength() + ": longer texts would be cut. Re-export the bundle with --seq-len "
                    + config.maxLength + " (or lower " + JobOptions.MODEL_MAX_LENGTH.key() + ")");
        }
        int batchSize = config.batchMaxSize > 0 ? config.batchMaxSize : defaultBatchSize(manifest, config);

        InferencePipeline.Streams streams = InferencePipeline.build(
                source(env, config),
                config.contract(manifest.textPair()),
                new ModelSettings(config.bundle.toString(), config.sharing, config.threads, config.includeScores,
                        config.labels, config.labelScale, config.shapes, config.tagging),
                batchSize,
                config.batchMaxWait);
        sink(streams.results(), config.output, config, "results");
        sink(streams.deadLetters(), config.deadLetters, config, "dead-letters");
        return manifest;
    }

    /**
     * The traced batch, times the number of sequence lengths the model may pick from (at most 4): a
     * micro-batch of several forward passes lets events be grouped by length.
     */
    static int defaultBatchSize(BundleManifest manifest, JobConfig config) {
        int batch = manifest.shapes().stream().mapToInt(TraceShape::batch).max().orElseThrow();
        long lengths = config.shapes == ShapePolicy.TRACED ? 1 : manifest.shapes().stream().mapToInt(TraceShape::seqLen).distinct().count();
        return batch * (int) Math.min(4, lengths);
    }

    /** The job's source: raw records with their coordinates. */
    public static DataStream<RawEvent> source(StreamExecutionEnvironment env, JobConfig config) {
        JobConfig.Input input = config.input;
        if (input.kind() == JobConfig.SourceKind.FILE) {
            if (!Files.isRegularFile(input.path())) {
                throw new JobSpecException(config.spec().file() + ": input.path: " + input.path() + " is not a file");
            }
            FileSource<RawEvent> files = FileSource.forRecordStreamFormat(
                    new JsonLinesFormat(input.path().toString()), new org.apache.flink.core.fs.Path(input.path().toUri())).build();
            return env.fromSource(files, WatermarkStrategy.noWatermarks(), "file: " + input.path().getFileName())
                    .uid("torchstream-source").setParallelism(1);
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
                throw new JobSpecException(config.spec().file() + ": input.generator.texts: cannot read " + input.path() + " (" + e.getMessage() + ")", e);
            }
            DataGeneratorSource<RawEvent> generator = new DataGeneratorSource<>(new GeneratedEvents(texts),
                    input.count() > 0 ? input.count() : Long.MAX_VALUE,
                    input.rate() > 0 ? RateLimiterStrategy.perSecond(input.rate()) : RateLimiterStrategy.noOp(),
                    TypeInformation.of(RawEvent.class));
            return env.fromSource(generator, WatermarkStrategy.noWatermarks(), "generator").uid("torchstream-source");
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
            case PRINT, CONSOLE -> stream
                    .map(output.kind() == JobConfig.SinkKind.CONSOLE ? ConsoleLines::of : OutputRecord::valueAsString, Types.STRING)
                    .name("to-text-" + what).uid(uid + "-text")
                    .sinkTo(new PrintSink<>(what.equals("dead-letters"))).name("print: " + what).uid(uid).setParallelism(1);
            case FILE -> {
                try {
                    Files.deleteIfExists(output.path());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot replace " + output.path(), e);
                }
                stream.sinkTo(new JsonLinesFileSink(output.path().toString())).name("file: " + output.path().getFileName())
                        .uid(uid).setParallelism(1);
            }
            case KAFKA -> {
                boolean exactlyOnce = config.delivery == JobConfig.Delivery.EXACTLY_ONCE;
                var builder = KafkaSink.<OutputRecord>builder()
                        .setBootstrapServers(output.servers())
                        .setRecordSerializer(KafkaRecords.to(output.topic()))
                        .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE);
                if (exactlyOnce) {
                    builder.setTransactionalIdPrefix(config.name + "-" + what)
                            .setProperty("transaction.timeout.ms", String.valueOf(config.transactionTimeout.toMillis()));
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
