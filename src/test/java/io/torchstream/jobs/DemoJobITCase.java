package io.torchstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import io.torchstream.testing.JobFiles;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The default job (jobs/demo.yaml) with the committed all-MiniLM-L6-v2 bundle: every sample headline
 * gets its topic; and the labels' accuracy on the held-out headlines stays where it was measured.
 */
class DemoJobITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @TempDir
    Path tmp;

    @Test
    void theDemoLabelsTheSampleHeadlines() throws Exception {
        Path out = tmp.resolve("results.jsonl");
        JobSummary summary =
                TorchstreamJob.execute(CommandLine.parse(new String[] {"jobs/demo.yaml", "--output", out.toString()})
                        .config());
        assertThat(summary.eventsIn()).isEqualTo(40);
        assertThat(summary.balanced()).isTrue();
        assertThat(summary.labels()).isEqualTo(Map.of("world", 10L, "sports", 10L, "business", 10L, "sci-tech", 10L));

        Map<String, JsonNode> expected =
                JobFiles.byField(JobFiles.readLines(Path.of("jobs/samples/headlines.jsonl")), "id");
        for (JsonNode result : JobFiles.readLines(out)) {
            String id = result.get("id").asText();
            assertThat(result.get("label").asText())
                    .as("topic of %s", result.get("text"))
                    .isEqualTo(expected.get(id).get("label").asText());
            assertThat(result.get("scores")).hasSize(4);
            assertThat(result.get("model").asText()).isEqualTo("all-MiniLM-L6-v2");
        }
    }

    @Test
    void theLabelsReachTheirMeasuredAccuracyOnHeldOutHeadlines() throws IOException {
        JobConfig demo = CommandLine.parse(new String[] {"jobs/demo.yaml"}).config();
        // Tuned on the dev set (97.5%); the test set was not used for tuning.
        assertThat(Evaluation.run(demo, Path.of("data/headlines-dev.jsonl")).accuracy())
                .isGreaterThanOrEqualTo(0.95);
        assertThat(Evaluation.run(demo, Path.of("data/headlines-test.jsonl")).accuracy())
                .isGreaterThanOrEqualTo(0.95);
    }
}
