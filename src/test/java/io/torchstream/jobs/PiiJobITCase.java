package io.torchstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import io.torchstream.internal.session.ModelSession;
import io.torchstream.internal.task.Entities;
import io.torchstream.internal.text.TextInput;
import io.torchstream.testing.JobFiles;
import io.torchstream.testing.PlantedPii;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * jobs/pii.yaml on files: the labelled PII set (data/pii/messages.jsonl) and edge cases in, each event out
 * once as its redacted text, or as a dead letter; the original text leaves in neither.
 */
class PiiJobITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @TempDir
    Path tmp;

    @Test
    void everyEventLeavesOnceRedactedAndTheOriginalTextStaysInside() throws Exception {
        List<JsonNode> planted = PlantedPii.messages();
        Map<String, String> texts = new LinkedHashMap<>();
        planted.forEach(m -> texts.put(m.get("id").asText(), m.get("text").asText()));
        StringBuilder longText = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            longText.append(planted.get(i).get("text").asText()).append(' ');
        }
        texts.put("edge-long", longText + "Last one: write to ana.lopez@example.org");
        texts.put("edge-empty", "");
        texts.put("edge-blank", "  \t ");
        texts.put("edge-emoji", "😀🎉🙈");
        texts.put("edge-start", "ana.lopez@example.org wrote first");
        texts.put("edge-end", "for refunds call +44 20 7946 0018");
        texts.put("edge-adjacent", "cards 4111111111111111,5500005555555559 and DE89370400440532013000");

        List<byte[]> lines = new ArrayList<>();
        texts.forEach((id, text) -> lines.add(JobFiles.json(Map.of("id", id, "text", text, "channel", "test"))));
        lines.add("{not json, but mail me at leak@example.com".getBytes(StandardCharsets.UTF_8));
        lines.add(JobFiles.json(Map.of("id", "edge-huge", "text", "call me at ana.lopez@example.org ".repeat(2200))));
        Path in = JobFiles.writeLines(tmp.resolve("in.jsonl"), lines);
        Path out = tmp.resolve("out.jsonl");
        Path dead = tmp.resolve("dead.jsonl");

        CommandLine job = CommandLine.parse(new String[] {
            "jobs/pii.yaml", "--input", in.toString(), "--output", out.toString(), "--dead-letters", dead.toString()
        });
        JobSummary summary = TorchstreamJob.execute(job.config());
        assertThat(summary.eventsIn()).isEqualTo(lines.size());
        assertThat(summary.balanced()).isTrue();

        Map<String, JsonNode> results = JobFiles.byField(JobFiles.readLines(out), "id");
        assertThat(results.keySet()).isEqualTo(texts.keySet());
        List<JsonNode> deadLetters = JobFiles.readLines(dead);
        assertThat(deadLetters).hasSize(2);
        for (JsonNode d : deadLetters) {
            assertThat(d.has("original")).isFalse();
            assertThat(d.has("original_base64")).isFalse();
            assertThat(d.get("reason").asText())
                    .contains("original and original_base64 omitted: the job redacts personal data")
                    .doesNotContain("example");
            assertThat(d.get("line").asLong()).isPositive();
        }
        assertThat(deadLetters)
                .extracting(d -> d.get("reason").asText().replaceAll(" \\(original.*", ""))
                .containsExactlyInAnyOrder(
                        "record of 72628 bytes exceeds the limit of 65536 (input.max-bytes)",
                        "not JSON: Unexpected character ('n' (code 110)): was expecting double-quote to start field"
                                + " name");

        JobConfig config = job.config();
        try (ModelSession session = ModelSession.open(config.model, 1)) {
            for (Map.Entry<String, String> e : texts.entrySet()) {
                JsonNode result = results.get(e.getKey());
                assertThat(result.has("text"))
                        .as("%s keeps no text", e.getKey())
                        .isFalse();
                assertThat(result.get("channel").asText()).isEqualTo("test");
                for (JsonNode entity : result.get("entities")) {
                    assertThat(entity.has("word")).isFalse();
                    assertThat(entity.get("source").asText()).matches("model|pattern:[a-z_]+");
                }
                Entities alone = (Entities) session.predict(List.of(TextInput.of(e.getValue())))
                        .results()
                        .get(0);
                assertThat(result.get("redacted").asText())
                        .as("%s redacted in the job as the session redacts it alone", e.getKey())
                        .isEqualTo(alone.redacted());
                assertThat(result.get("entities")).hasSize(alone.entities().size());
            }
        }

        List<PlantedPii.Identifier> validated = PlantedPii.validated(planted);
        for (PlantedPii.Identifier id : validated) {
            assertThat(results.get(id.message()).get("redacted").asText())
                    .as("planted %s of %s", id.type(), id.message())
                    .doesNotContain(id.value());
        }
        assertThat(validated).hasSizeGreaterThan(200);

        assertThat(results.get("edge-empty").get("redacted").asText()).isEmpty();
        assertThat(results.get("edge-empty").get("entities")).isEmpty();
        assertThat(results.get("edge-blank").get("redacted").asText()).isEqualTo("  \t ");
        assertThat(results.get("edge-emoji").get("redacted").asText()).isEqualTo("😀🎉🙈");
        assertThat(results.get("edge-start").get("redacted").asText()).isEqualTo("<EMAIL> wrote first");
        assertThat(results.get("edge-end").get("redacted").asText()).isEqualTo("for refunds call <PHONE>");
        assertThat(results.get("edge-adjacent").get("redacted").asText())
                .isEqualTo("cards ################,################ and <IBAN>");
        assertThat(results.get("edge-long").get("redacted").asText()).endsWith("Last one: write to <EMAIL>");
    }
}
