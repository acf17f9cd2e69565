package io.torchstream.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

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
        List<ExactlyOnceRun.Fault> faults = new ArrayList<>();
        for (int k = 0; k < kills; k++) {
            faults.add(ExactlyOnceRun.killTaskManager());
        }
        assertExactlyOnce(ExactlyOnceRun.run("crash", events, 2, faults));
    }

    /**
     * The same with a standby TaskManager waiting (one more than the job needs, as {@code
     * slotmanager.redundant-taskmanager-num} keeps on Kubernetes or YARN): the recovery without a process to
     * start. {@code -Dtorchstream.crash.kills} applies here too, each kill with a fresh standby.
     */
    @Test
    void everyIdExactlyOnceThroughTaskManagerCrashesWithAStandbyTaskManager() throws Exception {
        int events = Integer.getInteger("torchstream.crash.events", 20_000);
        int kills = Integer.getInteger("torchstream.crash.kills", 1);
        List<ExactlyOnceRun.Fault> faults = new ArrayList<>();
        for (int k = 0; k < kills; k++) {
            faults.add(ExactlyOnceRun.killTaskManagerWithStandby());
        }
        assertExactlyOnce(ExactlyOnceRun.run("crash-standby", events, 2, faults));
    }

    private static void assertExactlyOnce(ExactlyOnceRun.Result r) {
        assertThat(r.duplicates()).as("ids seen more than once").isEmpty();
        assertThat(r.missing()).as("ids never seen").isEmpty();
        assertThat(r.unknown()).isEmpty();
    }
}
