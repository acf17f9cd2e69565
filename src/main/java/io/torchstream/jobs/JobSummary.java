package io.torchstream.jobs;

import io.torchstream.internal.bundle.BundleManifest;
import io.torchstream.internal.flink.TorchstreamMetrics;

import org.apache.flink.api.common.JobExecutionResult;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a finished job did: every record read is accounted for as a result or a dead letter.
 *
 * @param job the job name
 * @param model the bundle's model name
 * @param eventsIn records read
 * @param results results written
 * @param deadLetters records refused
 * @param labels results per label, for classifications
 * @param nanos wall time from submission to the end, model loading included
 * @param streamingMillis from the first record read to the last result written
 * @param tokensComputed tokens the forward passes computed, padding included
 * @param tokensReal tokens of text in them
 */
public record JobSummary(
        String job,
        String model,
        long eventsIn,
        long results,
        long deadLetters,
        Map<String, Long> labels,
        long nanos,
        long streamingMillis,
        long tokensComputed,
        long tokensReal) {

    static JobSummary of(JobConfig config, BundleManifest manifest, JobExecutionResult result, long nanos) {
        Map<String, Long> labels =
                result.getAccumulatorResult(TorchstreamMetrics.ACCUMULATOR_PREFIX + TorchstreamMetrics.LABELS);
        return new JobSummary(
                config.name,
                manifest.name(),
                TorchstreamJob.accumulator(result, TorchstreamMetrics.EVENTS_IN),
                TorchstreamJob.accumulator(result, TorchstreamMetrics.EVENTS_OUT),
                TorchstreamJob.accumulator(result, TorchstreamMetrics.DEAD_LETTERS),
                labels == null ? Map.of() : new TreeMap<>(labels),
                nanos,
                Math.max(
                        0,
                        TorchstreamJob.accumulator(result, TorchstreamMetrics.LAST_RESULT_MILLIS)
                                - TorchstreamJob.accumulator(result, TorchstreamMetrics.FIRST_EVENT_MILLIS)),
                TorchstreamJob.accumulator(result, TorchstreamMetrics.TOKENS_COMPUTED),
                TorchstreamJob.accumulator(result, TorchstreamMetrics.TOKENS_REAL));
    }

    /** Whether in = results + dead letters. */
    public boolean balanced() {
        return eventsIn == results + deadLetters;
    }

    /** Padding tokens over all tokens the forward passes computed, 0..1. */
    public double paddingRatio() {
        return tokensComputed == 0 ? 0 : 1.0 - (double) tokensReal / tokensComputed;
    }

    /** Results per second from the first record read to the last result written (start-up excluded). */
    public double eventsPerSecond() {
        return streamingMillis == 0 ? 0 : results / (streamingMillis / 1e3);
    }

    @Override
    public String toString() {
        String line = String.format(
                        Locale.ROOT,
                        "%s (%s): %d events in = %d results + %d dead letters%s; %.1f s in all, %.2f s from first event to last"
                                + " result: %.1f events/s",
                        job,
                        model,
                        eventsIn,
                        results,
                        deadLetters,
                        balanced() ? "" : " (UNBALANCED)",
                        nanos / 1e9,
                        streamingMillis / 1e3,
                        eventsPerSecond())
                + String.format(Locale.ROOT, "; padding %.0f%% of computed tokens", 100 * paddingRatio());
        if (labels.isEmpty()) {
            return line;
        }
        StringBuilder counts = new StringBuilder();
        labels.forEach((label, n) -> counts.append(counts.length() == 0 ? "" : ", ")
                .append(label)
                .append(' ')
                .append(n));
        return line + "\nresults per label: " + counts;
    }
}
