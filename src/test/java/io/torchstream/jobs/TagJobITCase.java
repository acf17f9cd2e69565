package io.torchstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;

import io.torchstream.internal.task.Aggregation;
import io.torchstream.internal.task.Entities;
import io.torchstream.internal.task.Entity;
import io.torchstream.internal.task.Prediction;
import io.torchstream.internal.task.TextModel;
import io.torchstream.internal.task.TokenTagger;
import io.torchstream.internal.text.TextInput;
import io.torchstream.testing.Fixtures;
import io.torchstream.testing.JobFiles;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** jobs/tag.yaml with files in and out: each event carries the entity list the tagger finds for its text. */
class TagJobITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @TempDir
    Path tmp;

    @Test
    void eachEventCarriesItsEntities() throws Exception {
        Path out = tmp.resolve("entities.jsonl");
        JobSummary summary = TorchstreamJob.execute(CommandLine.parse(new String[] {
                    "jobs/tag.yaml",
                    "--input",
                    "jobs/samples/messages.jsonl",
                    "--output",
                    out.toString(),
                    "--dead-letters",
                    tmp.resolve("dl.jsonl").toString(),
                    "--set",
                    "tagging.aggregation=first"
                })
                .config());
        List<JsonNode> events = JobFiles.readLines(Path.of("jobs/samples/messages.jsonl"));
        assertThat(summary.results()).isEqualTo(events.size());
        assertThat(summary.balanced()).isTrue();

        Map<String, JsonNode> results = JobFiles.byField(JobFiles.readLines(out), "id");
        List<TextInput> texts = new ArrayList<>();
        events.forEach(e -> texts.add(TextInput.of(e.get("text").asText())));
        var bundle = Fixtures.bundle("pii-rampart");
        try (TextModel model = TextModel.open(bundle, 1);
                TokenTagger tagger = TokenTagger.create(bundle, model, Aggregation.FIRST, -1, Set.of("O"))) {
            List<Prediction> direct = tagger.tag(texts).results();
            assertThat(tagger.windows(texts.get(8)))
                    .as("the long message needs several windows")
                    .isGreaterThan(1);
            for (int i = 0; i < events.size(); i++) {
                JsonNode result = results.get(events.get(i).get("id").asText());
                assertThat(result.get("channel").asText())
                        .isEqualTo(events.get(i).get("channel").asText());
                assertThat(result.get("truncated").asBoolean()).isFalse();
                List<Entity> expected = ((Entities) direct.get(i)).entities();
                JsonNode entities = result.get("entities");
                assertThat(entities).hasSize(expected.size());
                for (int k = 0; k < expected.size(); k++) {
                    JsonNode e = entities.get(k);
                    assertThat(e.get("entity_group").asText())
                            .isEqualTo(expected.get(k).label());
                    assertThat(e.get("word").asText()).isEqualTo(expected.get(k).word());
                    assertThat(e.get("start").asInt()).isEqualTo(expected.get(k).start());
                    assertThat(e.get("end").asInt()).isEqualTo(expected.get(k).end());
                    String text = texts.get(i).text();
                    assertThat(e.get("word").asText())
                            .isEqualTo(new String(
                                    text.codePoints().toArray(),
                                    e.get("start").asInt(),
                                    e.get("end").asInt() - e.get("start").asInt()));
                }
            }
            assertThat(results.get("msg-07").get("entities"))
                    .as("the empty message")
                    .isEmpty();
        }
    }

    @Test
    void aBundleThatCannotTagFailsAtStart() {
        assertThatThrownBy(
                        () -> CommandLine.parse(new String[] {"jobs/tag.yaml", "--set", "tagging.aggregation=longest"})
                                .config())
                .hasMessageContaining(
                        "tagging.aggregation: 'longest' expected one of none, simple, first, average, max");
        assertThatThrownBy(() -> TorchstreamJob.build(
                        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.getExecutionEnvironment(),
                        CommandLine.parse(new String[] {"jobs/tag.yaml", "--set", "tagging.ignore-labels=OUTSIDE"})
                                .config()))
                .hasMessageContaining("have no 'OUTSIDE'");
        assertThatThrownBy(() -> TorchstreamJob.build(
                        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.getExecutionEnvironment(),
                        CommandLine.parse(new String[] {
                                    "jobs/tag.yaml",
                                    "--bundle",
                                    Fixtures.bundleDir("bert-seq-cls").toString()
                                })
                                .config()))
                .hasMessageContaining("tagging needs a token-classification bundle");
        assertThatThrownBy(() -> TorchstreamJob.build(
                        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.getExecutionEnvironment(),
                        CommandLine.parse(new String[] {"jobs/tag.yaml", "--set", "tagging.stride=130"})
                                .config()))
                .hasMessageContaining("tagging.stride 130 leaves no room in windows of 128 tokens");
    }
}
