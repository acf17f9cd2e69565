package io.torchstream.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import io.torchstream.bench.LocalFlinkCluster;
import io.torchstream.testing.JobFiles;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Jobs on a real session cluster whose TaskManagers carry DJL in lib/: a second job on the same
 * TaskManager JVM, and a job cancelled and submitted again, start and give correct results. With DJL
 * only in the job jar, the second job meets "already loaded in another classloader".
 */
class RedeployClusterIT {

    static Path dir;
    static LocalFlinkCluster cluster;

    @BeforeAll
    static void start() throws IOException {
        dir = ClusterTests.workDir("redeploy");
        cluster = LocalFlinkCluster.start(Path.of(""), dir.resolve("cluster"), 2, Map.of());
        cluster.startTaskManager();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private LocalFlinkCluster.Submission runDemo(LocalFlinkCluster target, Path jar, Path out) {
        return target.submit(
                false,
                jar,
                "jobs/demo.yaml",
                "--output",
                out.toAbsolutePath().toString(),
                "--dead-letters",
                out.resolveSibling(out.getFileName() + ".dl").toAbsolutePath().toString());
    }

    private static void assertDemoResults(Path out) {
        Map<String, JsonNode> expected =
                JobFiles.byField(JobFiles.readLines(Path.of("jobs/samples/headlines.jsonl")), "id");
        List<JsonNode> results = JobFiles.readLines(out);
        assertThat(results).hasSize(expected.size());
        for (JsonNode r : results) {
            assertThat(r.get("label").asText())
                    .isEqualTo(expected.get(r.get("id").asText()).get("label").asText());
        }
    }

    @Test
    void aSecondJobAndACancelledJobSubmittedAgainRunOnTheSameTaskManager() {
        Path first = dir.resolve("first.jsonl");
        LocalFlinkCluster.Submission one = runDemo(cluster, ClusterTests.CLUSTER_JAR, first);
        assertThat(one.exitCode()).as(one.output()).isZero();
        assertDemoResults(first);

        Path second = dir.resolve("second.jsonl");
        LocalFlinkCluster.Submission two = runDemo(cluster, ClusterTests.CLUSTER_JAR, second);
        assertThat(two.exitCode())
                .as("the second job in the same TaskManager JVM:\n%s", two.output())
                .isZero();
        assertDemoResults(second);
        assertThat(cluster.nodes()).allMatch(LocalFlinkCluster.Node::isAlive);

        // The second job has a classloader of its own, yet finds the first job's model loaded and warm in
        // the TaskManager's store (torchstream-lib.jar in lib/): one load for both jobs.
        String log = taskManagerLog();
        assertThat(lines(log, "loaded all-MiniLM-L6-v2")).as(log).hasSize(1);
        List<String> reused = lines(log, "is loaded in this JVM already (kept for every job of this TaskManager)");
        assertThat(reused).as(log).isNotEmpty();
        System.out.println(
                "[redeploy] " + lines(log, "loaded all-MiniLM-L6-v2").get(0).trim());
        System.out.println("[redeploy] " + reused.get(0).trim());
    }

    private static String taskManagerLog() {
        try {
            StringBuilder log = new StringBuilder();
            for (LocalFlinkCluster.Node node : cluster.nodes()) {
                if (node.name().startsWith("taskmanager")) {
                    log.append(Files.readString(node.log()));
                }
            }
            return log.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(String log, String containing) {
        return log.lines().filter(l -> l.contains(containing)).toList();
    }

    @Test
    void withoutDjlInLibTheSecondJobMeetsTheNativeLibraryTrap() {
        try (LocalFlinkCluster bare = LocalFlinkCluster.start(
                Path.of(""),
                dir.resolve("bare"),
                2,
                Map.of(
                        // without this, a restart would hide the failure behind retries
                        "restart-strategy.type", "none"))) {
            bare.startTaskManager(false);
            LocalFlinkCluster.Submission one = runDemo(bare, ClusterTests.FAT_JAR, dir.resolve("bare-first.jsonl"));
            assertThat(one.exitCode()).as(one.output()).isZero();
            LocalFlinkCluster.Submission two = runDemo(bare, ClusterTests.FAT_JAR, dir.resolve("bare-second.jsonl"));
            assertThat(two.exitCode()).isNotZero();
            assertThat(two.output()).contains("already loaded in another classloader");
        }
    }
}
