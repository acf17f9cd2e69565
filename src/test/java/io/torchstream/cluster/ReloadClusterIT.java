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
 * SIGKILL. Every id comes out once under read_committed, the committed results of each partition go from
 * version 1 to version 2 and never back (the restarted tasks resume on the version their checkpoint holds).
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
            int firstTwo = seen.indexOf("2");
            assertThat(firstTwo).as("%s serves version 2", partition.getKey()).isPositive();
            assertThat(seen.subList(firstTwo, seen.size()))
                    .as("%s never goes back to version 1", partition.getKey())
                    .containsOnly("2");
        }
    }
}
