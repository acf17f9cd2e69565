package io.torchstream.internal.flink;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;

/**
 * How many of a job's parallel instances share one TaskManager process, and so its cores and its one
 * libtorch thread pool: the parallelism, at most the TaskManager's slots. One rule for every Flink path.
 */
public final class Slots {

    private Slots() {}

    public static int sharers(RuntimeContext context) {
        int parallelism = context.getTaskInfo().getNumberOfParallelSubtasks();
        if (context instanceof StreamingRuntimeContext streaming) {
            int slots = streaming.getTaskManagerRuntimeInfo().getConfiguration().get(TaskManagerOptions.NUM_TASK_SLOTS);
            return Math.max(1, Math.min(parallelism, slots));
        }
        return Math.max(1, parallelism);
    }
}
