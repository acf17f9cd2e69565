package io.torchstream.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.task.Embedding;
import io.torchstream.internal.task.LabelClassifier;
import io.torchstream.internal.task.TextModel;
import io.torchstream.internal.text.TextInput;
import io.torchstream.jobs.CommandLine;
import io.torchstream.jobs.JobConfig;
import io.torchstream.jobs.JobSummary;
import io.torchstream.jobs.TorchstreamJob;
import io.torchstream.testing.BadRecords;
import io.torchstream.testing.Fixtures;
import io.torchstream.testing.JobFiles;
import io.torchstream.testing.KafkaBroker;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * jobs/classify.sql against a real Kafka broker, pointed at test topics with ALTER TABLE: the same
 * events give the same labels as the DataStream job (jobs/classify.yaml) and as the runtime directly,
 * each event exactly once, keyed by its id; every bad record of the corpus is a dead letter with the same
 * reason and position as the DataStream job gives it, so that in = results + dead letters.
 */
class SqlKafkaClassifyITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final int EVENTS = 80;
    private static final ObjectMapper MAPPER = new ObjectMapper();

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
    void theSqlJobLabelsEventsAsTheDataStreamJobDoes() throws Exception {
        Map<String, String> textById = produceEvents("news");

        int bad = BadRecords.corpus().size() - 1;
        JobSummary dataStream = TorchstreamJob.execute(CommandLine.parse(new String[] {
                    "jobs/classify.yaml",
                    "--set",
                    "input.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                    "--set",
                    "input.kafka.topic=news",
                    "--set",
                    "input.kafka.bounded=true",
                    "--set",
                    "input.kafka.starting-offsets=earliest",
                    "--set",
                    "output.kafka.topic=datastream-results",
                    "--set",
                    "dead-letters.kafka.topic=datastream-dead-letters",
                    "--set",
                    "job.checkpoint-interval=500ms",
                    "--set",
                    "name=classify-datastream-it"
                })
                .config());
        assertThat(dataStream.results()).isEqualTo(EVENTS);
        assertThat(dataStream.deadLetters()).isEqualTo(bad);

        TableEnvironment env = SqlTesting.env();
        List<String> statements =
                SqlScript.statements(Files.readString(Path.of("jobs/classify.sql"), StandardCharsets.UTF_8));
        int set = SqlJobFilesTest.statementSet(statements);
        SqlRunner.run(env, statements.subList(0, set), Map.of("execution.checkpointing.interval", "500ms"), System.err);
        env.executeSql(
                "ALTER TABLE events SET ('properties.bootstrap.servers' = "
                        + SqlTesting.literal(kafka.bootstrapServers())
                        + ", 'topic' = 'news', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')");
        env.executeSql("ALTER TABLE classified SET ('properties.bootstrap.servers' = "
                + SqlTesting.literal(kafka.bootstrapServers())
                + ", 'topic' = 'sql-results', 'sink.transactional-id-prefix' = 'classify-sql-it')");
        env.executeSql("ALTER TABLE dead_letters SET ('properties.bootstrap.servers' = "
                + SqlTesting.literal(kafka.bootstrapServers())
                + ", 'topic' = 'sql-dead-letters', 'sink.transactional-id-prefix' = 'classify-sql-it-dlq')");
        List<org.apache.flink.table.api.TableResult> jobs =
                SqlRunner.run(env, statements.subList(set, statements.size()), Map.of(), System.err);
        assertThat(jobs).as("one job for both tables").hasSize(1);
        jobs.get(0).await(5, TimeUnit.MINUTES);

        Map<String, JsonNode> sql = results("sql-results");
        Map<String, JsonNode> streamed = results("datastream-results");
        assertThat(sql.keySet()).as("every event exactly once, nothing else").isEqualTo(textById.keySet());
        assertThat(streamed.keySet()).isEqualTo(textById.keySet());

        Map<String, String> sqlDead = deadLetters("sql-dead-letters");
        Map<String, String> streamedDead = deadLetters("datastream-dead-letters");
        assertThat(sqlDead).as("in = results + dead letters").hasSize(bad);
        assertThat(sqlDead).as("the same reasons at the same positions").isEqualTo(streamedDead);
        assertThat(sqlDead.values())
                .anyMatch(r -> r.startsWith("not JSON"))
                .anyMatch(r -> r.startsWith("not valid UTF-8 | "))
                .anyMatch(r -> r.startsWith("not a JSON object (found an array) | "))
                .anyMatch(r -> r.startsWith("missing field 'text' | "))
                .contains("empty record (null value) | (none)");

        JobConfig job = CommandLine.parse(new String[] {"jobs/classify.yaml"}).config();
        try (TextModel model = TextModel.open(ModelBundle.open(job.bundle), 1)) {
            LabelClassifier labels = LabelClassifier.create(model, job.labels, job.labelScale);
            for (Map.Entry<String, String> e : textById.entrySet()) {
                JsonNode fromSql = sql.get(e.getKey());
                JsonNode fromDataStream = streamed.get(e.getKey());
                assertThat(fromSql.get("text").asText()).isEqualTo(e.getValue());
                assertThat(fromSql.get("label").asText())
                        .as("label of %s", e.getValue())
                        .isEqualTo(fromDataStream.get("label").asText())
                        .isEqualTo(labels.classify((Embedding) model.predict(List.of(TextInput.of(e.getValue())))
                                        .results()
                                        .get(0))
                                .label());
                assertThat(fromSql.get("score").asDouble())
                        .isCloseTo(fromDataStream.get("score").asDouble(), within(1e-4));
                for (String label : job.labels.stream().map(l -> l.name()).toList()) {
                    assertThat(fromSql.get("scores").get(label).asDouble())
                            .isCloseTo(fromDataStream.get("scores").get(label).asDouble(), within(1e-4));
                }
            }
        }
    }

    /** Results by id; the record key must be the id. */
    private static Map<String, JsonNode> results(String topic) throws Exception {
        Map<String, JsonNode> byId = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(topic)) {
            JsonNode doc = MAPPER.readTree(r.value());
            String id = doc.get("id").asText();
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(id);
            assertThat(byId.put(id, doc)).as("id %s twice in %s", id, topic).isNull();
        }
        return byId;
    }

    /** Dead letters by position (partition@offset): their reasons and original bytes, as both jobs write them. */
    private static Map<String, String> deadLetters(String topic) throws Exception {
        Map<String, String> byPosition = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(topic)) {
            JsonNode doc = MAPPER.readTree(r.value());
            assertThat(doc.get("source").asText()).isEqualTo("news");
            String position =
                    doc.get("partition").asInt() + "@" + doc.get("offset").asLong();
            String original = doc.hasNonNull("original_base64")
                    ? doc.get("original_base64").asText()
                    : "(none)";
            assertThat(byPosition.put(position, doc.get("reason").asText() + " | " + original))
                    .as(position + " twice")
                    .isNull();
        }
        return byPosition;
    }

    /** Good events, and among them the corpus of bad records but the huge one (over Kafka's message size). */
    private static Map<String, String> produceEvents(String topic) {
        kafka.createTopic(topic, 2);
        kafka.createTopic("sql-results", 2);
        kafka.createTopic("datastream-results", 2);
        kafka.createTopic("datastream-dead-letters", 1);
        kafka.createTopic("sql-dead-letters", 1);
        List<TextInput> corpus = Fixtures.inputs(Fixtures.reference("all-minilm-l6-v2"));
        List<byte[][]> records = new ArrayList<>();
        Map<String, String> textById = new LinkedHashMap<>();
        for (int i = 0; i < EVENTS; i++) {
            String id = "n" + i;
            String text = corpus.get(i % corpus.size()).text();
            if (text.isBlank()) {
                text = "filler headline " + i;
            }
            textById.put(id, text);
            records.add(
                    new byte[][] {id.getBytes(StandardCharsets.UTF_8), JobFiles.json(Map.of("id", id, "text", text))});
        }
        int at = 3;
        for (Map.Entry<String, byte[]> badRecord : BadRecords.corpus().entrySet()) {
            if (!badRecord.getKey().equals("a huge record")) {
                records.add(
                        at, new byte[][] {badRecord.getKey().getBytes(StandardCharsets.UTF_8), badRecord.getValue()});
                at += 5;
            }
        }
        kafka.produce(topic, records);
        return textById;
    }
}
