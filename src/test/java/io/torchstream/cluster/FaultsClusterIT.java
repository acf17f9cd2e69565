package io.torchstream.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Faults beyond one TaskManager, each on its own cluster of real processes running jobs/classify.yaml
 * exactly-once: the Kafka broker killed and restarted, every TaskManager killed at once, TaskManagers
 * killed in the window between a checkpoint's completion and its transactions' commit, and the JobManager
 * of a cluster with ZooKeeper high availability killed and started again. Each ends with every id
 * exactly once under read_committed. CI runs the short form ({@code torchstream.faults.events} 10,000 events,
 * {@code torchstream.faults.repeats} 1 fault of each kind, 2 in the commit window); the long form sets them to
 * 100,000 and 3.
 */
class FaultsClusterIT {

    private static final int EVENTS = Integer.getInteger("torchstream.faults.events", 10_000);
    private static final int REPEATS = Integer.getInteger("torchstream.faults.repeats", 1);

    @Test
    void aBrokerKilledAndRestartedLosesAndDuplicatesNothing() throws Exception {
        check(ExactlyOnceRun.run(
                "broker-kill", EVENTS, 2, times(REPEATS, () -> ExactlyOnceRun.killBroker(Duration.ofSeconds(15)))));
    }

    @Test
    void everyTaskManagerKilledAtOnceLosesAndDuplicatesNothing() throws Exception {
        check(ExactlyOnceRun.run(
                "all-taskmanagers",
                EVENTS,
                2,
                times(REPEATS, () -> ExactlyOnceRun.killAllTaskManagers(Duration.ofSeconds(5)))));
    }

    @Test
    void killsBetweenACheckpointAndItsCommitLoseAndDuplicateNothing() throws Exception {
        check(ExactlyOnceRun.run(
                "commit-window", EVENTS, 2, times(Math.max(2, REPEATS), ExactlyOnceRun::killInCommitWindow)));
    }

    @Test
    void aJobManagerKilledAndStartedAgainUnderHighAvailabilityLosesAndDuplicatesNothing() throws Exception {
        check(ExactlyOnceRun.runHighlyAvailable(
                "jobmanager-failover",
                EVENTS,
                2,
                times(REPEATS, () -> ExactlyOnceRun.killJobManager(Duration.ofSeconds(5)))));
    }

    private static List<ExactlyOnceRun.Fault> times(int n, java.util.function.Supplier<ExactlyOnceRun.Fault> fault) {
        List<ExactlyOnceRun.Fault> faults = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            faults.add(fault.get());
        }
        return faults;
    }

    private static void check(ExactlyOnceRun.Result r) {
        assertThat(r.duplicates()).as("ids seen more than once").isEmpty();
        assertThat(r.missing()).as("ids never seen").isEmpty();
        assertThat(r.unknown()).isEmpty();
    }
}
