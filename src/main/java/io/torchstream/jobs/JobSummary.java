package io.torchstream.jobs;

import io.torchstream.bundle.BundleManifest;
import io.torchstream.flink.TorchstreamMetrics;

import org.apache.flink.api.common.JobExecutionResult;

import java.util.Locale;

/**
 * What a finished job did: every record read is accounted for as a result or a dead letter.
 *
 * @param job the job name
 * @param model the bundle's model name
 * @param eventsIn records read
 * @param results results written
 * @param deadLetters records refused
 * @param nanos wall time from submission to the end, model loading included
 */
public record JobSummary(String job, String model, long eventsIn, long results, long deadLetters, long nanos) {

    static JobSummary of(JobConfig config, BundleManifest manifest, JobExecutionResult result, long nanos) {
        return new JobSummary(config.name, manifest.name(),
                TorchstreamJob.accumulator(result, TorchstreamMetrics.EVENTS_IN),
                TorchstreamJob.accumulator(result, TorchstreamMetrics.EVENTS_OUT),
                TorchstreamJob.accumulator(result, TorchstreamMetrics.DEAD_LETTERS), nanos);
    }

    /** Whether in = results + dead letters. */
    public boolean balanced() {
        return eventsIn == results + deadLetters;
    }

    public double eventsPerSecond() {
        return nanos == 0 ? 0 : eventsIn / (nanos / 1e9);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (%s): %d events in = %d results + %d dead letters%s, %.1f s, %.1f events/s",
                job, model, eventsIn, results, deadLetters, balanced() ? "" : " (UNBALANCED)", nanos / 1e9, eventsPerSecond());
    }
}
