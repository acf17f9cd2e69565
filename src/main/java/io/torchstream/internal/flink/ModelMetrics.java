package io.torchstream.internal.flink;

import io.torchstream.internal.session.ModelSession;
import io.torchstream.internal.task.ForwardStats;
import io.torchstream.internal.task.Predictions;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The metrics of a model in a Flink task, under the {@value TorchstreamMetrics#GROUP} group, the same
 * for the DataStream operator and ML_PREDICT: results, forward passes, rows and latency per pass,
 * tokens computed and real, the padding ratio, the model's load time, and the version serving and its
 * reloads.
 */
public final class ModelMetrics {

    private final Counter eventsOut;
    private final Counter batches;
    private final Counter tokensComputed;
    private final Counter tokensReal;
    private final Histogram batchSize;
    private final Histogram latency;

    private ModelMetrics(MetricGroup group, ModelSession session) {
        eventsOut = group.counter(TorchstreamMetrics.EVENTS_OUT);
        batches = group.counter(TorchstreamMetrics.BATCHES);
        tokensComputed = group.counter(TorchstreamMetrics.TOKENS_COMPUTED);
        tokensReal = group.counter(TorchstreamMetrics.TOKENS_REAL);
        batchSize = group.histogram(TorchstreamMetrics.BATCH_SIZE, new DescriptiveStatisticsHistogram(1000));
        latency = group.histogram(TorchstreamMetrics.INFERENCE_LATENCY, new DescriptiveStatisticsHistogram(1000));
        long loadMillis = session.loadMillis();
        group.gauge(TorchstreamMetrics.MODEL_LOAD_TIME, () -> loadMillis);
        group.gauge(TorchstreamMetrics.MODEL_VERSION, session::activeVersionNumber);
        group.gauge(TorchstreamMetrics.RELOADS, session::reloads);
        group.gauge(TorchstreamMetrics.RELOAD_FAILURES, session::reloadFailures);
        group.gauge(TorchstreamMetrics.RELOAD_MILLIS, session::reloadMillis);
        group.gauge(TorchstreamMetrics.PADDING_RATIO, () -> {
            long computed = tokensComputed.getCount();
            return computed == 0 ? 0.0 : 1.0 - (double) tokensReal.getCount() / computed;
        });
    }

    /** Registers the metrics in {@code parent}'s torchstream group. */
    public static ModelMetrics register(MetricGroup parent, ModelSession session) {
        return new ModelMetrics(parent.addGroup(TorchstreamMetrics.GROUP), session);
    }

    /** Counts one micro-batch's results and its forward passes. */
    public void record(Predictions predictions) {
        for (ForwardStats forward : predictions.forwards()) {
            batches.inc();
            batchSize.update(forward.rows());
            latency.update(forward.nanos() / 1_000_000);
            tokensComputed.inc(forward.shape().tokens());
            tokensReal.inc(forward.realTokens());
        }
        eventsOut.inc(predictions.results().size() - predictions.failures());
    }

    public long eventsOut() {
        return eventsOut.getCount();
    }

    public long batches() {
        return batches.getCount();
    }
}
