package io.torchstream.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * jobs/classify.yaml, exactly-once, on a real cluster (one JobManager, two TaskManagers, a Kafka
 * broker; separate processes): TaskManagers running the job are killed with SIGKILL mid-run and
 * replaced, or their tasks taken over by a standby TaskManager; a read_committed reader then finds every id exactly once across results and dead
 * letters. CI runs 20,000 events and one kill; {@code -Dtorchstream.crash.events=100000
 * -Dtorchstream.crash.kills=3} is the full run.
 */
class CrashRecoveryClusterIT {

    private static final int EVENTS = Integer.getInteger("torchstream.crash.events", 20_000);

    @Test
    void everyIdExactlyOnceThroughTaskManagerCrashes() throws Exception {
        assertExactlyOnce(ExactlyOnceRun.run("crash", EVENTS, 2, kills(ExactlyOnceRun::killTaskManager)));
    }

    /**
     * The same with a standby TaskManager waiting (one more than the job needs, as {@code
     * slotmanager.redundant-taskmanager-num} keeps on Kubernetes or YARN): the recovery without a process to
     * start. Each kill has a fresh standby.
     */
    @Test
    void everyIdExactlyOnceThroughTaskManagerCrashesWithAStandbyTaskManager() throws Exception {
        assertExactlyOnce(
                ExactlyOnceRun.run("crash-standby", EVENTS, 2, kills(ExactlyOnceRun::killTaskManagerWithStandby)));
    }

    private static List<ExactlyOnceRun.Fault> kills(Supplier<ExactlyOnceRun.Fault> kill) {
        List<ExactlyOnceRun.Fault> faults = new ArrayList<>();
        for (int k = 0; k < Integer.getInteger("torchstream.crash.kills", 1); k++) {
            faults.add(kill.get());
        }
        return faults;
    }

    private static void assertExactlyOnce(ExactlyOnceRun.Result r) {
        assertThat(r.duplicates()).as("ids seen more than once").isEmpty();
        assertThat(r.missing()).as("ids never seen").isEmpty();
        assertThat(r.unknown()).isEmpty();
    }
}
