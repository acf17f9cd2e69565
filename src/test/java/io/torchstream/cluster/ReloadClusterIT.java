package io.torchstream.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchstream.testing.BundleCopies;

import org.apache.kafka.common.TopicPartition;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Hot reload on a cluster of real processes: jobs/classify.yaml exactly-once, its model a repository polled
 * every second. Version 2 is published a third of the way in; at two thirds a TaskManager is killed with
 * SIGKILL. Every id comes out once under read_committed, and once the committed results have settled on
 * version 2 they never go back (the restarted tasks resume on the version their checkpoint holds).
 */
class ReloadClusterIT {

    private static final int EVENTS = Integer.getInteger("torchstream.reload.events", 6_000);

    @Test
    void aVersionPublishedMidRunServesAndSurvivesATaskManagerKill() throws Exception {
        Path repo = Path.of("target/cluster-it/reload-repo").toAbsolutePath();
        if (Files.exists(repo)) {
            BundleCopies.delete(repo);
        }
        Path model = Path.of("models/all-minilm-l6-v2");
        BundleCopies.copy(model, repo.resolve("1"));
        ExactlyOnceRun.Fault publish = c -> {
            Path staging = BundleCopies.copy(model, repo.resolve(".staging"));
            Files.move(staging, repo.resolve("2"));
            return "published version 2";
        };
        ExactlyOnceRun.Result r = ExactlyOnceRun.run(
                "reload",
                EVENTS,
                2,
                List.of(publish, ExactlyOnceRun.killTaskManager()),
                List.of("model.bundle=" + repo, "model.reload.interval=1s"));

        assertThat(r.duplicates()).as("ids seen more than once").isEmpty();
        assertThat(r.missing()).as("ids never seen").isEmpty();
        assertThat(r.unknown()).isEmpty();
        Map<TopicPartition, List<String>> versions = r.versions();
        assertThat(versions).isNotEmpty();
        for (Map.Entry<TopicPartition, List<String>> partition : versions.entrySet()) {
            List<String> seen = partition.getValue();
            assertThat(seen).as("versions in %s", partition.getKey()).containsOnly("1", "2");
            // Both subtasks write to every partition, and each swaps at its own next poll: the versions of a
            // partition interleave for a moment. Once a long run of version 2 has been committed (the kill comes
            // thousands of events after the swap), a version 1 would be a task restarted on the old version.
            int settled = settledOnTwo(seen, 300);
            assertThat(settled)
                    .as("%s settles on version 2", partition.getKey())
                    .isPositive();
            assertThat(seen.subList(settled, seen.size()))
                    .as("%s never goes back to version 1, the TaskManager kill included", partition.getKey())
                    .containsOnly("2");
        }
    }

    /** Where the first run of {@code length} results of version 2 begins, or -1. */
    private static int settledOnTwo(List<String> versions, int length) {
        int run = 0;
        for (int i = 0; i < versions.size(); i++) {
            run = versions.get(i).equals("2") ? run + 1 : 0;
            if (run == length) {
                return i - length + 1;
            }
        }
        return -1;
    }
}
