package io.torchstream.internal.flink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.torchstream.internal.bundle.BundleManifest;
import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.task.Embedding;
import io.torchstream.internal.task.LabelClassifier;
import io.torchstream.internal.task.TextModel;
import io.torchstream.internal.text.TextInput;
import io.torchstream.jobs.CommandLine;
import io.torchstream.jobs.JobConfig;
import io.torchstream.jobs.JobSummary;
import io.torchstream.jobs.TorchstreamJob;
import io.torchstream.testing.Fixtures;
import io.torchstream.testing.JobFiles;
import io.torchstream.testing.KafkaBroker;

import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * jobs/classify.yaml (the default model and news labels) against a real Kafka broker: JSON events in, results and dead letters out through
 * Kafka transactions; a read_committed reader finds every id exactly once across the two topics.
 */
class KafkaClassifyITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @TempDir
    static Path brokerDir;

    static KafkaBroker kafka;

    @BeforeAll
    static void startKafka() {
        kafka = KafkaBroker.start(brokerDir);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void classifiesKafkaEventsExactlyOnce() throws Exception {
        Fixture f = produceEvents("a");
        JobSummary summary = TorchstreamJob.execute(f.config().config());
        assertThat(summary.eventsIn()).isEqualTo(300);
        assertThat(summary.balanced()).isTrue();
        f.assertEveryIdExactlyOnce();
    }

    @Test
    void aFailoverMidStreamLosesAndDuplicatesNothing() throws Exception {
        Fixture f = produceEvents("b");
        JobConfig config = JobConfig.from(f.config()
                .config()
                .spec()
                .with("batch.max-size", "4")
                .with("batch.max-wait", "5ms")
                .with("model.threads", "1"));
        Configuration restarts = new Configuration();
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(restarts);
        env.setParallelism(config.parallelism);
        env.enableCheckpointing(200, CheckpointingMode.EXACTLY_ONCE);
        DataStream<RawEvent> raw =
                TorchstreamJob.source(env, config).map(new FailOnce(120)).name("fail-once");
        BundleManifest manifest = ModelBundle.open(config.bundle).manifest();
        TorchstreamJob.Streams streams = TorchstreamJob.inference(raw, config, manifest);
        TorchstreamJob.sink(streams.results(), config.output, config, "results");
        TorchstreamJob.sink(streams.deadLetters(), config.deadLetters, config, "dead-letters");
        env.execute("failover-" + manifest.name());
        assertThat(FailOnce.FAILURES.get())
                .as("the job failed once and recovered")
                .isEqualTo(1);
        f.assertEveryIdExactlyOnce();
    }

    /** Throws once, in the first attempt of subtask 0, after {@code after} records; the restart must resume cleanly. */
    static final class FailOnce extends RichMapFunction<RawEvent, RawEvent> {
        static final AtomicInteger FAILURES = new AtomicInteger();
        private final int after;
        private transient int seen;

        FailOnce(int after) {
            this.after = after;
        }

        @Override
        public RawEvent map(RawEvent value) {
            var task = getRuntimeContext().getTaskInfo();
            if (task.getAttemptNumber() == 0 && task.getIndexOfThisSubtask() == 0 && ++seen == after) {
                FAILURES.incrementAndGet();
                throw new IllegalStateException("injected failure after " + after + " records");
            }
            return value;
        }
    }

    private record Fixture(String prefix, Map<String, String> textById, Set<String> badIds) {

        CommandLine config() {
            return CommandLine.parse(new String[] {
                "jobs/classify.yaml",
                "--set",
                "input.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--set",
                "input.kafka.topic=" + prefix + "-events",
                "--set",
                "input.kafka.bounded=true",
                "--set",
                "input.kafka.starting-offsets=earliest",
                "--set",
                "output.kafka.topic=" + prefix + "-results",
                "--set",
                "dead-letters.kafka.topic=" + prefix + "-dead-letters",
                "--set",
                "job.checkpoint-interval=500ms",
                "--set",
                "name=classify-" + prefix
            });
        }

        void assertEveryIdExactlyOnce() throws Exception {
            ObjectMapper mapper = new ObjectMapper();
            Map<String, JsonNode> results = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(prefix + "-results")) {
                JsonNode doc = mapper.readTree(r.value());
                String id = doc.get("id").asText();
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(id);
                assertThat(results.put(id, doc))
                        .as("id %s twice in results", id)
                        .isNull();
            }
            Map<String, JsonNode> deadLetters = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(prefix + "-dead-letters")) {
                JsonNode doc = mapper.readTree(r.value());
                String id = new String(r.key(), StandardCharsets.UTF_8);
                assertThat(deadLetters.put(id, doc))
                        .as("id %s twice in dead letters", id)
                        .isNull();
                assertThat(doc.get("source").asText()).isEqualTo(prefix + "-events");
                assertThat(doc.has("partition")).isTrue();
                assertThat(doc.has("offset")).isTrue();
            }
            assertThat(results.keySet()).isEqualTo(textById.keySet());
            assertThat(deadLetters.keySet()).isEqualTo(badIds);
            assertThat(deadLetters.get(prefix + "7").get("reason").asText()).startsWith("not JSON");
            assertThat(deadLetters.get(prefix + "19").get("reason").asText()).isEqualTo("empty record (null value)");
            assertThat(deadLetters.get(prefix + "19").get("original").isNull()).isTrue();

            JobConfig job = config().config();
            try (TextModel model = TextModel.open(ModelBundle.open(job.bundle), 1)) {
                LabelClassifier labels = LabelClassifier.create(model, job.labels, job.labelScale);
                for (Map.Entry<String, String> e : textById.entrySet()) {
                    Embedding vector = (Embedding) model.predict(List.of(TextInput.of(e.getValue())))
                            .results()
                            .get(0);
                    assertThat(results.get(e.getKey()).get("label").asText())
                            .isEqualTo(labels.classify(vector).label());
                }
            }
        }
    }

    private static Fixture produceEvents(String prefix) {
        kafka.createTopic(prefix + "-events", 2);
        kafka.createTopic(prefix + "-results", 2);
        kafka.createTopic(prefix + "-dead-letters", 1);

        List<TextInput> corpus = Fixtures.inputs(Fixtures.reference("all-minilm-l6-v2"));
        List<byte[][]> records = new ArrayList<>();
        Map<String, String> textById = new HashMap<>();
        Set<String> badIds = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            String id = prefix + i;
            byte[] key = id.getBytes(StandardCharsets.UTF_8);
            if (i % 50 == 7) {
                records.add(new byte[][] {key, "{broken".getBytes(StandardCharsets.UTF_8)});
                badIds.add(id);
            } else if (i % 50 == 19) {
                records.add(new byte[][] {key, null});
                badIds.add(id);
            } else {
                String text = corpus.get(i % corpus.size()).text();
                if (text.isBlank()) {
                    text = "filler " + i;
                }
                textById.put(id, text);
                records.add(new byte[][] {key, JobFiles.json(Map.of("id", id, "text", text))});
            }
        }
        kafka.produce(prefix + "-events", records);
        return new Fixture(prefix, textById, badIds);
    }
}
