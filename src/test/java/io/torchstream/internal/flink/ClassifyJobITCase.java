package io.torchstream.internal.flink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import io.torchstream.internal.session.SharedModels;
import io.torchstream.internal.task.Classification;
import io.torchstream.internal.task.Prediction;
import io.torchstream.internal.task.TextModel;
import io.torchstream.internal.text.TextInput;
import io.torchstream.jobs.CommandLine;
import io.torchstream.jobs.JobSummary;
import io.torchstream.jobs.TorchstreamJob;
import io.torchstream.testing.Fixtures;
import io.torchstream.testing.JobFiles;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The classification job on a MiniCluster at parallelism 2: its results equal the runtime's direct
 * results, bad records become dead letters with reasons, and every record is accounted for.
 */
class ClassifyJobITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @TempDir
    Path tmp;

    private static final int GOOD = 60;

    private List<TextInput> texts() {
        List<TextInput> corpus = Fixtures.inputs(Fixtures.reference("bert-seq-cls"));
        List<TextInput> texts = new ArrayList<>();
        for (int i = 0; i < GOOD; i++) {
            TextInput t = corpus.get(i % corpus.size());
            texts.add(t.text().isBlank() ? TextInput.of("blank replaced " + i) : t);
        }
        return texts;
    }

    private Path events() {
        List<byte[]> lines = new ArrayList<>();
        List<TextInput> texts = texts();
        for (int i = 0; i < texts.size(); i++) {
            lines.add(JobFiles.json(Map.of("id", "e" + i, "text", texts.get(i).text(), "seq", i)));
            if (i == 10) {
                lines.add("not json at all".getBytes(StandardCharsets.UTF_8));
            }
            if (i == 20) {
                lines.add(new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xFE, '"', '}'});
            }
            if (i == 30) {
                lines.add(JobFiles.json(Map.of("id", "no-text", "body", "hello")));
                lines.add(JobFiles.json(Map.of("id", "empty", "text", "")));
                lines.add(JobFiles.json(List.of("an", "array")));
            }
        }
        return JobFiles.writeLines(tmp.resolve("events.jsonl"), lines);
    }

    /** The 1-based line of good event {@code seq} in {@link #events()}: bad lines come after events 10, 20 and 30. */
    private static int lineOf(int seq) {
        return seq + 1 + (seq > 10 ? 1 : 0) + (seq > 20 ? 1 : 0) + (seq > 30 ? 3 : 0);
    }

    private Path job(String sharing) {
        return JobFiles.write(tmp.resolve("job.yaml"), """
                name: classify-it
                model:
                  bundle: %s
                  sharing: %s
                batch:
                  max-wait: 5ms
                input:
                  type: file
                  path: events.jsonl
                output:
                  type: file
                  path: out/results.jsonl
                dead-letters:
                  type: file
                  path: out/dead-letters.jsonl
                job:
                  parallelism: 2
                """.formatted(
                        Fixtures.bundleDir("bert-seq-cls").toAbsolutePath(), sharing));
    }

    @ParameterizedTest
    @ValueSource(strings = {"task-manager", "per-slot"})
    void resultsEqualTheRuntimesAndEveryRecordIsAccountedFor(String sharing) throws Exception {
        events();
        JobSummary summary = TorchstreamJob.execute(
                CommandLine.parse(new String[] {job(sharing).toString()}).config());

        assertThat(summary.eventsIn()).isEqualTo(GOOD + 5);
        assertThat(summary.results()).isEqualTo(GOOD);
        assertThat(summary.deadLetters()).isEqualTo(5);
        assertThat(summary.balanced()).isTrue();
        assertThat(SharedModels.loaded())
                .as("every shared model released at the end")
                .isZero();

        List<JsonNode> results = JobFiles.readLines(tmp.resolve("out/results.jsonl"));
        Map<String, JsonNode> byId = JobFiles.byField(results, "id");
        assertThat(byId).hasSize(GOOD);

        List<TextInput> texts = texts();
        try (TextModel model = TextModel.open(Fixtures.bundle("bert-seq-cls"), 1)) {
            List<Prediction> direct = model.predict(texts).results();
            for (int i = 0; i < GOOD; i++) {
                JsonNode result = byId.get("e" + i);
                Classification expected = (Classification) direct.get(i);
                assertThat(result.get("text").asText()).isEqualTo(texts.get(i).text());
                assertThat(result.get("seq").asInt())
                        .as("other fields pass through")
                        .isEqualTo(i);
                assertThat(result.get("label").asText()).isEqualTo(expected.label());
                assertThat(result.get("score").asDouble())
                        .isCloseTo(expected.score(), org.assertj.core.data.Offset.offset(1e-6));
                assertThat(result.get("truncated").asBoolean()).isEqualTo(expected.truncated());
                assertThat(result.get("model").asText()).isEqualTo("bert-seq-cls");
                expected.scores()
                        .forEach((label, score) -> assertThat(
                                        result.get("scores").get(label).asDouble())
                                .isCloseTo(score, org.assertj.core.data.Offset.offset(1e-6)));
            }
        }

        // The source is one file read in order and spread round-robin, line by line, over two subtasks:
        // each subtask's events must come out in the order they went in.
        List<Integer> even = new ArrayList<>();
        List<Integer> odd = new ArrayList<>();
        for (JsonNode r : results) {
            int seq = r.get("seq").asInt();
            (lineOf(seq) % 2 == 0 ? even : odd).add(seq);
        }
        assertThat(even).isSorted();
        assertThat(odd).isSorted();

        Map<String, String> reasons = new java.util.TreeMap<>();
        for (JsonNode dl : JobFiles.readLines(tmp.resolve("out/dead-letters.jsonl"))) {
            reasons.put(dl.get("line").asText(), dl.get("reason").asText());
            assertThat(dl.get("source").asText()).endsWith("events.jsonl");
            assertThat(dl.has("original_base64")).isTrue();
        }
        assertThat(reasons).containsOnlyKeys("12", "23", "34", "35", "36");
        assertThat(reasons.get("12")).startsWith("not JSON");
        assertThat(reasons.get("23")).isEqualTo("not valid UTF-8");
        assertThat(reasons.get("34")).isEqualTo("missing field 'text'");
        assertThat(reasons.get("35")).startsWith("empty text");
        assertThat(reasons.get("36")).isEqualTo("not a JSON object (found an array)");
    }

    @Test
    void aBadBundleFailsBeforeTheJobIsSubmitted() {
        events();
        Path job = job("task-manager");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TorchstreamJob.execute(
                        CommandLine.parse(new String[] {job.toString(), "--bundle", tmp.toString()})
                                .config()))
                .hasMessageContaining("bundle.json: is missing");
    }
}
