package io.torchstream.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchstream.bench.LocalFlinkCluster;
import io.torchstream.testing.CommittedReader;
import io.torchstream.testing.JobFiles;
import io.torchstream.testing.KafkaBroker;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * jobs/classify.yaml, exactly-once, on a real cluster (one JobManager, two TaskManagers, a Kafka
 * broker; separate processes): TaskManagers running the job are killed with SIGKILL mid-run and
 * replaced; a read_committed reader then finds every id exactly once across results and dead
 * letters. CI runs 20,000 events and one kill; {@code -Dtorchstream.crash.events=100000
 * -Dtorchstream.crash.kills=3} is the full run.
 */
class CrashRecoveryClusterIT {

    @Test
    void everyIdExactlyOnceThroughTaskManagerCrashes() throws Exception {
        int events = Integer.getInteger("torchstream.crash.events", 20_000);
        int kills = Integer.getInteger("torchstream.crash.kills", 1);
        Path dir = ClusterTests.workDir("crash");
        StringBuilder report = new StringBuilder();

        try (KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"));
                LocalFlinkCluster cluster = LocalFlinkCluster.start(Path.of(""), dir.resolve("cluster"), 1, Map.of())) {
            kafka.createTopic("events", 4);
            kafka.createTopic("results", 2);
            kafka.createTopic("dead-letters", 1);
            Set<String> ids = produce(kafka, events);

            List<LocalFlinkCluster.Node> taskManagers =
                    new ArrayList<>(List.of(cluster.startTaskManager(), cluster.startTaskManager()));
            LocalFlinkCluster.Submission submission = cluster.submit(
                    true,
                    ClusterTests.CLUSTER_JAR,
                    "jobs/classify.yaml",
                    "--set",
                    "name=crash",
                    "--set",
                    "input.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                    "--set",
                    "input.kafka.topic=events",
                    "--set",
                    "input.kafka.starting-offsets=earliest",
                    "--set",
                    "output.kafka.topic=results",
                    "--set",
                    "dead-letters.kafka.topic=dead-letters",
                    "--set",
                    "job.checkpoint-interval=2s",
                    // Two TaskManagers share this machine's cores.
                    "--set",
                    "model.threads=1");
            assertThat(submission.jobId()).as(submission.output()).isNotNull();
            String job = submission.jobId();
            LocalFlinkCluster.waitFor(Duration.ofMinutes(3), "the job to run", () -> cluster.allTasksRunning(job));

            long started = System.nanoTime();
            try (CommittedReader reader = new CommittedReader(kafka.bootstrapServers(), "results", "dead-letters")) {
                for (int k = 1; k <= kills; k++) {
                    int target = events * k / (kills + 1);
                    LocalFlinkCluster.waitFor(Duration.ofMinutes(20), target + " ids committed", () -> {
                        reader.poll();
                        return reader.distinct() >= target;
                    });
                    LocalFlinkCluster.Node victim = taskManagers.remove(0);
                    int before = reader.total();
                    long killedAt = System.nanoTime();
                    victim.kill();
                    taskManagers.add(cluster.startTaskManager());
                    // Until the JobManager notices, the killed TaskManager's tasks still read RUNNING.
                    LocalFlinkCluster.waitFor(
                            Duration.ofMinutes(1), "the job to lose its tasks", () -> !cluster.allTasksRunning(job));
                    LocalFlinkCluster.waitFor(
                            Duration.ofMinutes(5), "the job to run again", () -> cluster.allTasksRunning(job));
                    double running = (System.nanoTime() - killedAt) / 1e9;
                    LocalFlinkCluster.waitFor(Duration.ofMinutes(5), "new results after the kill", () -> {
                        reader.poll();
                        return reader.total() > before;
                    });
                    double producing = (System.nanoTime() - killedAt) / 1e9;
                    report.append(String.format(
                            "kill %d (%s, pid %d) at %d committed ids: all tasks running again after %.1f s,"
                                    + " new results committed after %.1f s%n",
                            k, victim.name(), victim.pid(), before, running, producing));
                }
                LocalFlinkCluster.waitFor(Duration.ofMinutes(30), "all " + events + " ids", () -> {
                    reader.poll();
                    return reader.distinct() >= events;
                });
                // Anything still in flight would show up as a duplicate within a few more polls.
                for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6); System.nanoTime() < end; ) {
                    reader.poll();
                }
                cluster.cancel(job);

                Map<String, Integer> counts = reader.counts();
                Set<String> missing = new HashSet<>(ids);
                missing.removeAll(counts.keySet());
                Map<String, Integer> duplicates = new TreeMap<>();
                counts.forEach((id, n) -> {
                    if (n > 1) {
                        duplicates.put(id, n);
                    }
                });
                Set<String> unknown = new HashSet<>(counts.keySet());
                unknown.removeAll(ids);
                report.append(String.format(
                        "%d events, %d kills: %d distinct ids (%d results + %d dead letters), %d duplicated,"
                                + " %d missing, %d unknown; %.0f s from the job running to the last id%n",
                        events,
                        kills,
                        counts.size(),
                        reader.perTopic().getOrDefault("results", 0),
                        reader.perTopic().getOrDefault("dead-letters", 0),
                        duplicates.size(),
                        missing.size(),
                        unknown.size(),
                        (System.nanoTime() - started) / 1e9));
                Files.writeString(dir.resolve("report.txt"), report);
                System.out.print("[crash] " + report.toString().replace("\n", "\n[crash] "));
                assertThat(duplicates).as("ids seen more than once").isEmpty();
                assertThat(missing).as("ids never seen").isEmpty();
                assertThat(unknown).isEmpty();
            }
        }
    }

    /** Events with unique ids, about 1% of them malformed (they must come out as dead letters). */
    private static Set<String> produce(KafkaBroker kafka, int n) throws IOException {
        List<String> texts = new ArrayList<>();
        for (String file :
                new String[] {"data/headlines-dev.jsonl", "data/headlines-test.jsonl", "jobs/samples/headlines.jsonl"
                }) {
            JobFiles.readLines(Path.of(file))
                    .forEach(d -> texts.add(d.get("text").asText()));
        }
        Set<String> ids = new HashSet<>();
        List<byte[][]> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "c" + i;
            ids.add(id);
            byte[] key = id.getBytes(StandardCharsets.UTF_8);
            byte[] value;
            if (i % 97 == 13) {
                value = ("{\"id\": \"" + id + "\", \"text\": ").getBytes(StandardCharsets.UTF_8);
            } else if (i % 331 == 5) {
                value = null;
            } else {
                value = JobFiles.json(Map.of("id", id, "text", texts.get(i % texts.size())));
            }
            batch.add(new byte[][] {key, value});
            if (batch.size() == 5000) {
                kafka.produce("events", batch);
                batch.clear();
            }
        }
        kafka.produce("events", batch);
        return ids;
    }
}
