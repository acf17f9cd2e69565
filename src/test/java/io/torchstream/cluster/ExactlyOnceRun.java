package io.torchstream.cluster;

import io.torchstream.bench.LocalFlinkCluster;
import io.torchstream.testing.CommittedReader;
import io.torchstream.testing.JobFiles;
import io.torchstream.testing.KafkaBroker;
import io.torchstream.testing.ZooKeeperServer;

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
 * jobs/classify.yaml, exactly-once, on a cluster of real processes (one JobManager, TaskManagers, a Kafka
 * broker), through faults injected mid-run at evenly spaced numbers of committed ids; then a read_committed
 * reader counts every id across results and dead letters. Reports, per fault, how long until new results
 * were committed, and at the end the ids duplicated, missing and unknown.
 */
final class ExactlyOnceRun {

    /** What a fault may touch. */
    static final class Context {
        final KafkaBroker kafka;
        final LocalFlinkCluster cluster;
        final List<LocalFlinkCluster.Node> taskManagers;
        final String job;
        // When the fault itself began, if the fault prepared something first (System.nanoTime(); 0: at inject).
        long faultBegan;

        Context(KafkaBroker kafka, LocalFlinkCluster cluster, List<LocalFlinkCluster.Node> taskManagers, String job) {
            this.kafka = kafka;
            this.cluster = cluster;
            this.taskManagers = taskManagers;
            this.job = job;
        }
    }

    /** One fault: injects it, and says what it did; the run measures the recovery from its start. */
    interface Fault {
        String inject(Context context) throws Exception;
    }

    /** What a run saw. */
    record Result(
            String report,
            Map<String, Integer> duplicates,
            Set<String> missing,
            Set<String> unknown,
            Map<org.apache.kafka.common.TopicPartition, List<String>> versions) {}

    private ExactlyOnceRun() {}

    static Result run(String name, int events, int taskManagerCount, List<Fault> faults) throws Exception {
        return run(name, events, taskManagerCount, faults, List.of());
    }

    /** A run with more job settings ({@code KEY=VALUE}, as {@code --set} takes them). */
    static Result run(String name, int events, int taskManagerCount, List<Fault> faults, List<String> settings)
            throws Exception {
        return run(name, events, taskManagerCount, faults, settings, false);
    }

    /**
     * A run on a cluster with ZooKeeper high availability: a real ZooKeeper server, the job graphs and the
     * completed checkpoints' metadata under the run's folder, so that a JobManager started again recovers the
     * job from its last checkpoint.
     */
    static Result runHighlyAvailable(String name, int events, int taskManagerCount, List<Fault> faults)
            throws Exception {
        return run(name, events, taskManagerCount, faults, List.of(), true);
    }

    private static Result run(
            String name,
            int events,
            int taskManagerCount,
            List<Fault> faults,
            List<String> settings,
            boolean highAvailability)
            throws Exception {
        Path dir = ClusterTests.workDir(name);
        StringBuilder report = new StringBuilder();
        try (ZooKeeperServer zooKeeper = highAvailability ? ZooKeeperServer.start(dir.resolve("zookeeper")) : null;
                KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"));
                LocalFlinkCluster cluster = LocalFlinkCluster.start(
                        Path.of(""),
                        dir.resolve("cluster"),
                        1,
                        zooKeeper == null ? Map.of() : highAvailability(zooKeeper, dir.resolve("ha"), name))) {
            kafka.createTopic("events", 4);
            kafka.createTopic("results", 2);
            kafka.createTopic("dead-letters", 1);
            Set<String> ids = produce(kafka, events);
            List<LocalFlinkCluster.Node> taskManagers = new ArrayList<>();
            for (int i = 0; i < taskManagerCount; i++) {
                taskManagers.add(cluster.startTaskManager());
            }
            String job = submit(cluster, kafka, name, settings);
            Context context = new Context(kafka, cluster, taskManagers, job);

            long started = System.nanoTime();
            try (CommittedReader reader = new CommittedReader(kafka.bootstrapServers(), "results", "dead-letters")) {
                for (int k = 1; k <= faults.size(); k++) {
                    int target = events * k / (faults.size() + 1);
                    LocalFlinkCluster.waitFor(Duration.ofMinutes(20), target + " ids committed", () -> {
                        reader.poll();
                        return reader.distinct() >= target;
                    });
                    int before = reader.total();
                    context.faultBegan = 0;
                    long called = System.nanoTime();
                    String what = faults.get(k - 1).inject(context);
                    long injected = context.faultBegan != 0 ? context.faultBegan : called;
                    LocalFlinkCluster.waitFor(Duration.ofMinutes(10), "new results after fault " + k, () -> {
                        reader.poll();
                        return reader.total() > before;
                    });
                    report.append(String.format(
                            "fault %d at %d committed ids: %s; new results committed %.1f s after it began%n",
                            k, before, what, (System.nanoTime() - injected) / 1e9));
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
                        "%d events, %d faults: %d distinct ids (%d results + %d dead letters), %d duplicated,"
                                + " %d missing, %d unknown; %.0f s from the job running to the last id%n",
                        events,
                        faults.size(),
                        counts.size(),
                        reader.perTopic().getOrDefault("results", 0),
                        reader.perTopic().getOrDefault("dead-letters", 0),
                        duplicates.size(),
                        missing.size(),
                        unknown.size(),
                        (System.nanoTime() - started) / 1e9));
                Files.writeString(dir.resolve("report.txt"), report);
                System.out.print("[" + name + "] " + report.toString().replace("\n", "\n[" + name + "] "));
                System.out.println();
                return new Result(report.toString(), duplicates, missing, unknown, reader.versions());
            }
        }
    }

    /** Flink's ZooKeeper HA for a standalone cluster, with sessions that expire in seconds. */
    private static Map<String, String> highAvailability(ZooKeeperServer zooKeeper, Path storage, String clusterId) {
        return Map.of(
                "high-availability.type",
                "zookeeper",
                "high-availability.zookeeper.quorum",
                zooKeeper.connectString(),
                "high-availability.zookeeper.path.root",
                "/flink",
                "high-availability.cluster-id",
                "/" + clusterId,
                "high-availability.storageDir",
                storage.toUri().toString(),
                // A killed JobManager keeps its leadership until its session expires; 20 ticks is the most the
                // server grants.
                "high-availability.zookeeper.client.session-timeout",
                String.valueOf(12 * ZooKeeperServer.TICK_MILLIS),
                "high-availability.zookeeper.client.connection-timeout",
                "5000");
    }

    /**
     * Submits jobs/classify.yaml exactly-once from the broker's {@code events} topic to {@code results} and
     * {@code dead-letters}, with more settings ({@code KEY=VALUE}), and waits until all its tasks run.
     */
    static String submit(LocalFlinkCluster cluster, KafkaBroker kafka, String name, List<String> settings) {
        List<String> extra = new ArrayList<>();
        for (String setting : settings) {
            extra.add("--set");
            extra.add(setting);
        }
        List<String> args = new ArrayList<>(List.of(
                "jobs/classify.yaml",
                "--set",
                "name=" + name,
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
                // The TaskManagers share this machine's cores.
                "--set",
                "model.threads=1"));
        args.addAll(extra);
        LocalFlinkCluster.Submission submission =
                cluster.submit(true, ClusterTests.CLUSTER_JAR, args.toArray(String[]::new));
        if (submission.jobId() == null) {
            throw new IllegalStateException("the job was not submitted: " + submission.output());
        }
        String job = submission.jobId();
        LocalFlinkCluster.waitFor(Duration.ofMinutes(3), "the job to run", () -> cluster.allTasksRunning(job));
        return job;
    }

    /** Kills the oldest TaskManager with SIGKILL and starts a replacement, as a machine loss would. */
    static Fault killTaskManager() {
        return c -> {
            LocalFlinkCluster.Node victim = c.taskManagers.remove(0);
            long killed = System.nanoTime();
            victim.kill();
            c.taskManagers.add(c.cluster.startTaskManager());
            return awaitRunningAgain(c, "killed " + victim.name() + " (pid " + victim.pid() + ")", killed);
        };
    }

    /**
     * Starts a standby TaskManager (registered, its slot idle), then kills the oldest TaskManager, which runs
     * the job, with SIGKILL: the lost tasks restart on the standby's slot, with no TaskManager to wait for. The
     * recovery counts from the kill; the standby's start before it does not count.
     */
    static Fault killTaskManagerWithStandby() {
        return c -> {
            LocalFlinkCluster.Node standby = c.cluster.startTaskManager();
            LocalFlinkCluster.Node victim = c.taskManagers.remove(0);
            c.taskManagers.add(standby);
            long killed = System.nanoTime();
            c.faultBegan = killed;
            victim.kill();
            return awaitRunningAgain(
                    c,
                    "killed " + victim.name() + " (pid " + victim.pid() + ") with " + standby.name() + " standing by",
                    killed);
        };
    }

    /** Kills every TaskManager at once, and starts as many again after {@code delay}. */
    static Fault killAllTaskManagers(Duration delay) {
        return c -> {
            List<LocalFlinkCluster.Node> victims = new ArrayList<>(c.taskManagers);
            long killed = System.nanoTime();
            victims.forEach(LocalFlinkCluster.Node::kill);
            c.taskManagers.clear();
            Thread.sleep(delay.toMillis());
            for (int i = 0; i < victims.size(); i++) {
                c.taskManagers.add(c.cluster.startTaskManager());
            }
            return awaitRunningAgain(
                    c,
                    "killed all " + victims.size() + " TaskManagers, replaced after " + delay.toSeconds() + " s",
                    killed);
        };
    }

    /**
     * Kills the JobManager with SIGKILL and starts it again after {@code down}: with high availability it
     * takes the leadership once the killed one's ZooKeeper session has expired, recovers the job graph and
     * restores the job from its latest completed checkpoint. Fails unless the restored checkpoint is at
     * least the latest one completed before the kill.
     */
    static Fault killJobManager(Duration down) {
        return c -> {
            long before = c.cluster.latestCompletedCheckpoint(c.job);
            LocalFlinkCluster.Node victim = c.cluster.jobManager();
            long killed = System.nanoTime();
            victim.kill();
            Thread.sleep(down.toMillis());
            c.cluster.restartJobManager();
            String what = awaitRunningAgain(
                    c,
                    "killed the JobManager (pid " + victim.pid() + "), started it again after " + down.toSeconds()
                            + " s",
                    killed);
            long restored = c.cluster.restoredCheckpoint(c.job);
            if (restored < before || before < 0) {
                throw new IllegalStateException("the job restored checkpoint " + restored
                        + ", not the latest completed before the kill (" + before + ")");
            }
            return what + "; restored checkpoint " + restored + " (the latest completed before the kill: " + before
                    + ")";
        };
    }

    /** Kills the Kafka broker with SIGKILL and restarts it on its data after {@code down}. */
    static Fault killBroker(Duration down) {
        return c -> {
            c.kafka.kill();
            Thread.sleep(down.toMillis());
            c.kafka.restart();
            return "killed the Kafka broker, restarted it after " + down.toSeconds() + " s";
        };
    }

    /**
     * Kills a TaskManager right after a checkpoint completes, before the sinks' transactions of that checkpoint
     * are committed (they commit when the TaskManagers hear of the completion): the restored job must commit
     * them again, never lose them.
     */
    static Fault killInCommitWindow() {
        return c -> {
            long last = c.cluster.latestCompletedCheckpoint(c.job);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            long seen;
            while ((seen = c.cluster.latestCompletedCheckpoint(c.job)) <= last) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no checkpoint completed after " + last);
                }
                Thread.sleep(5);
            }
            long completedAt = System.nanoTime();
            LocalFlinkCluster.Node victim = c.taskManagers.remove(0);
            victim.kill();
            long killed = System.nanoTime();
            c.taskManagers.add(c.cluster.startTaskManager());
            return awaitRunningAgain(
                    c,
                    String.format(
                            "killed %s %.0f ms after checkpoint %d was seen complete",
                            victim.name(), (killed - completedAt) / 1e6, seen),
                    killed);
        };
    }

    private static String awaitRunningAgain(Context c, String what, long since) {
        // Until the JobManager notices, the killed TaskManagers' tasks still read RUNNING.
        LocalFlinkCluster.waitFor(
                Duration.ofMinutes(1), "the job to lose its tasks", () -> !c.cluster.allTasksRunning(c.job));
        LocalFlinkCluster.waitFor(
                Duration.ofMinutes(5), "the job to run again", () -> c.cluster.allTasksRunning(c.job));
        return String.format("%s; all tasks running again after %.1f s", what, (System.nanoTime() - since) / 1e9);
    }

    /** The headlines of the repository's data sets, the texts of every run's events. */
    static List<String> headlines() {
        List<String> texts = new ArrayList<>();
        for (String file :
                new String[] {"data/headlines-dev.jsonl", "data/headlines-test.jsonl", "jobs/samples/headlines.jsonl"
                }) {
            JobFiles.readLines(Path.of(file))
                    .forEach(d -> texts.add(d.get("text").asText()));
        }
        return texts;
    }

    /** Events with unique ids, about 1% of them malformed (they must come out as dead letters). */
    private static Set<String> produce(KafkaBroker kafka, int n) throws IOException {
        List<String> texts = headlines();
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
