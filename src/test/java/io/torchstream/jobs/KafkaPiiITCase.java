package io.torchstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.torchstream.testing.JobFiles;
import io.torchstream.testing.KafkaBroker;
import io.torchstream.testing.PlantedPii;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * jobs/pii.yaml against a real Kafka broker: messages in, redacted messages and dead letters out through
 * Kafka transactions; a read_committed reader finds every record exactly once, and no planted e-mail, card,
 * IBAN, IP or URL, nor any refused record's bytes, in what the job wrote.
 */
class KafkaPiiITCase {

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
    void redactsKafkaMessagesExactlyOnceAndNothingPersonalLeaves() throws Exception {
        kafka.createTopic("messages", 2);
        kafka.createTopic("messages-redacted", 2);
        kafka.createTopic("messages-redacted-dlq", 1);
        List<JsonNode> planted = PlantedPii.messages().subList(0, 120);
        List<byte[][]> records = new ArrayList<>();
        Set<String> good = new HashSet<>();
        for (JsonNode m : planted) {
            String id = m.get("id").asText();
            good.add(id);
            records.add(new byte[][] {
                id.getBytes(StandardCharsets.UTF_8),
                JobFiles.json(Map.of("id", id, "text", m.get("text").asText()))
            });
        }
        Set<String> bad = Set.of("bad-json", "bad-tombstone");
        records.add(new byte[][] {
            "bad-json".getBytes(StandardCharsets.UTF_8),
            "{\"id\": \"bad-json\", \"text\": \"mail ana@example.org".getBytes(StandardCharsets.UTF_8)
        });
        records.add(new byte[][] {"bad-tombstone".getBytes(StandardCharsets.UTF_8), null});
        kafka.produce("messages", records);

        JobSummary summary = TorchstreamJob.execute(CommandLine.parse(new String[] {
                    "jobs/pii.yaml",
                    "--set",
                    "input.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                    "--set",
                    "input.kafka.bounded=true",
                    "--set",
                    "input.kafka.starting-offsets=earliest",
                    "--set",
                    "job.checkpoint-interval=500ms"
                })
                .config());
        assertThat(summary.eventsIn()).isEqualTo(records.size());
        assertThat(summary.balanced()).isTrue();

        ObjectMapper mapper = new ObjectMapper();
        Map<String, JsonNode> results = new HashMap<>();
        StringBuilder everything = new StringBuilder();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted("messages-redacted")) {
            JsonNode doc = mapper.readTree(r.value());
            assertThat(results.put(doc.get("id").asText(), doc))
                    .as("id %s twice", doc.get("id").asText())
                    .isNull();
            assertThat(doc.has("text")).isFalse();
            assertThat(doc.get("redacted").isTextual()).isTrue();
            everything.append(new String(r.value(), StandardCharsets.UTF_8)).append('\n');
        }
        Map<String, JsonNode> deadLetters = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted("messages-redacted-dlq")) {
            JsonNode doc = mapper.readTree(r.value());
            assertThat(deadLetters.put(new String(r.key(), StandardCharsets.UTF_8), doc))
                    .isNull();
            assertThat(doc.has("original")).isFalse();
            assertThat(doc.has("original_base64")).isFalse();
            assertThat(doc.get("source").asText()).isEqualTo("messages");
            assertThat(doc.has("offset")).isTrue();
            everything.append(new String(r.value(), StandardCharsets.UTF_8)).append('\n');
        }
        assertThat(results.keySet()).isEqualTo(good);
        assertThat(deadLetters.keySet()).isEqualTo(bad);
        assertThat(everything).doesNotContain("ana@example.org");

        List<PlantedPii.Identifier> validated = PlantedPii.validated(planted);
        for (PlantedPii.Identifier id : validated) {
            assertThat(everything)
                    .as("planted %s of %s", id.type(), id.message())
                    .doesNotContain(id.value());
        }
        assertThat(validated).hasSizeGreaterThan(80);
    }
}
