package io.torchstream.sql;

import io.torchstream.bundle.Task;
import io.torchstream.flink.ModelSharing;
import io.torchstream.flink.TorchstreamMetrics;
import io.torchstream.runtime.TorchEngine;
import io.torchstream.task.Embedding;
import io.torchstream.task.ForwardStats;
import io.torchstream.task.LabelClassifier;
import io.torchstream.task.Prediction;
import io.torchstream.task.Predictions;
import io.torchstream.task.SharedModels;
import io.torchstream.task.TextModel;
import io.torchstream.task.TokenTagger;
import io.torchstream.text.TextInput;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.FunctionContext;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * ML_PREDICT with a torchscript model: each row's text is queued, and one worker per parallel instance
 * runs the queued rows as one padded batch (up to the batch size, waiting at most {@code batch.max-wait}
 * once the model is free) and completes each row's future with its OUTPUT row, in submission order.
 * Loads the bundle in {@link #open} (warmed up at every shape it may run), frees it in {@link #close}
 * (safe twice). A NULL input gives a row of NULLs without running the model; an empty text runs like
 * any other. A failed batch fails exactly its rows' futures, and so the job.
 *
 * <p>Public because Flink's generated code calls it.
 */
@Internal
public final class TorchScriptPredictFunction extends AsyncPredictFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TorchScriptPredictFunction.class);
    /** How long close() lets a running forward pass end before it leaves the model open rather than free it under it. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(60);

    private final TorchScriptModelSpec spec;
    private final int batchSize;

    private transient SharedModels.Lease lease;
    private transient TextModel model;
    private transient LabelClassifier classifier;
    private transient TokenTagger tagger;
    private transient MicroBatcher<TextInput, RowData> batcher;
    private transient Counter rowsOut;
    private transient Counter nullRows;
    private transient Counter microBatches;
    private transient Counter batches;
    private transient Counter tokensComputed;
    private transient Histogram batchRows;
    private transient Histogram latency;

    TorchScriptPredictFunction(TorchScriptModelSpec spec, int batchSize) {
        this.spec = spec;
        this.batchSize = batchSize;
    }

    /** The most rows per micro-batch this instance hands the model. */
    int batchSize() {
        return batchSize;
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        int parallelism = 1;
        int subtask = 0;
        try {
            parallelism = context.getTaskInfo().getNumberOfParallelSubtasks();
            subtask = context.getTaskInfo().getIndexOfThisSubtask();
        } catch (RuntimeException outsideATask) {
            // Only in tests and constant folding: no task, so one instance.
        }
        int threads = TorchEngine.threadsFor(spec.threads(), parallelism);
        Path bundle = Path.of(spec.bundle());
        lease = spec.sharing() == ModelSharing.TASK_MANAGER
                ? SharedModels.share(bundle, threads, spec.shapes())
                : SharedModels.own(bundle, threads, spec.shapes());
        model = lease.model();
        try {
            if (model.task() != spec.task()) {
                throw new IllegalStateException("model " + spec.model() + ": the bundle at " + bundle + " is now a " + model.task()
                        + " bundle, but it was a " + spec.task() + " bundle when the query was planned; plan the query again");
            }
            if (!spec.labels().isEmpty()) {
                classifier = LabelClassifier.create(model, spec.labels(), spec.scale());
            }
            if (model.task() == Task.TOKEN_CLASSIFICATION) {
                tagger = TokenTagger.create(model.bundle(), model, spec.tagging().aggregation(), spec.tagging().stride(),
                        Set.copyOf(spec.tagging().ignoreLabels()));
            }
        } catch (RuntimeException e) {
            // Release the model now: whether Flink calls close() after a failed open() is not ours to rely on.
            close();
            throw e;
        }

        MetricGroup group = context.getMetricGroup().addGroup(TorchstreamMetrics.GROUP);
        rowsOut = group.counter(TorchstreamMetrics.EVENTS_OUT);
        nullRows = group.counter("nullInputs");
        microBatches = group.counter("microBatches");
        batches = group.counter(TorchstreamMetrics.BATCHES);
        tokensComputed = group.counter(TorchstreamMetrics.TOKENS_COMPUTED);
        batchRows = group.histogram(TorchstreamMetrics.BATCH_SIZE, new DescriptiveStatisticsHistogram(1000));
        latency = group.histogram(TorchstreamMetrics.INFERENCE_LATENCY, new DescriptiveStatisticsHistogram(1000));
        long loadMillis = model.loadMillis();
        group.gauge(TorchstreamMetrics.MODEL_LOAD_TIME, () -> loadMillis);

        batcher = new MicroBatcher<>("torchstream-ml-predict-" + spec.bundleName() + "-" + subtask, batchSize,
                spec.batchMaxWait(), this::predict);
        LOG.info("ML_PREDICT subtask {} serves model {} with {} ({}, batches of up to {} rows, {} libtorch threads, {} model)",
                subtask, spec.model(), spec.bundleName(), spec.columns().kind().description(), batchSize, threads,
                spec.sharing() == ModelSharing.TASK_MANAGER ? "shared" : "own");
    }

    @Override
    public CompletableFuture<Collection<RowData>> asyncPredict(RowData row) {
        TextInput input;
        try {
            input = spec.input(row);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (input == null) {
            if (nullRows != null) {
                nullRows.inc();
            }
            return CompletableFuture.completedFuture(List.of(spec.columns().nulls()));
        }
        if (batcher == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("model " + spec.model() + " is not open"));
        }
        return batcher.submit(input).<Collection<RowData>>thenApply(List::of);
    }

    /** Runs one batch on the worker thread. */
    private List<RowData> predict(List<TextInput> inputs) {
        Predictions predictions = tagger != null ? tagger.tag(inputs) : model.predict(inputs);
        List<RowData> rows = new ArrayList<>(inputs.size());
        for (Prediction prediction : predictions.results()) {
            if (classifier != null) {
                Embedding embedding = (Embedding) prediction;
                rows.add(spec.columns().write(classifier.classify(embedding), embedding));
            } else {
                rows.add(spec.columns().write(prediction, null));
            }
        }
        for (ForwardStats forward : predictions.forwards()) {
            batches.inc();
            batchRows.update(forward.rows());
            latency.update(forward.nanos() / 1_000_000);
            tokensComputed.inc(forward.shape().tokens());
        }
        microBatches.inc();
        rowsOut.inc(rows.size());
        return rows;
    }

    @Override
    public void close() {
        if (batcher != null && rowsOut.getCount() > 0) {
            LOG.info("ML_PREDICT model {}: {} rows in {} batches ({} forward passes), {} NULL inputs", spec.model(),
                    rowsOut.getCount(), microBatches.getCount(), batches.getCount(), nullRows.getCount());
        }
        boolean stopped = true;
        if (batcher != null) {
            stopped = batcher.close(CLOSE_GRACE);
            batcher = null;
        }
        if (!stopped) {
            // Freeing native memory under a running forward pass would crash the TaskManager; leak it instead.
            LOG.warn("model {}: a batch still runs; its model is left open", spec.model());
            return;
        }
        if (tagger != null) {
            tagger.close();
            tagger = null;
        }
        classifier = null;
        if (lease != null) {
            lease.close();
            lease = null;
            model = null;
        }
    }
}
