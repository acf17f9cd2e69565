package io.torchstream.sql;

import io.torchstream.internal.flink.ModelMetrics;
import io.torchstream.internal.flink.Slots;
import io.torchstream.internal.flink.TorchstreamMetrics;
import io.torchstream.internal.session.ModelSession;
import io.torchstream.internal.task.Prediction;
import io.torchstream.internal.task.Predictions;
import io.torchstream.internal.text.TextInput;
import io.torchstream.sql.TorchScriptModelOptions.ErrorHandling;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.FunctionContext;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * ML_PREDICT with a torchscript model: each row's text is queued, and one worker per parallel instance
 * runs the queued rows as one padded batch (up to the batch size, waiting at most {@code batch.max-wait}
 * once the model is free) and completes each row's future with its OUTPUT row, in submission order.
 * Loads the bundle in {@link #open} (and warmed up), frees it in {@link #close}
 * (safe twice). A NULL input gives a row of NULLs without running the model (with its reason, under
 * {@code 'error-handling' = 'column'}); an empty text runs like any other unless {@code 'empty-text' =
 * 'error'}. A row the model cannot predict is handled as {@code 'error-handling'} says; the session runs a
 * failing batch again row by row, so only the bad rows fail.
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

    private transient ModelSession session;
    private transient ModelMetrics metrics;
    private transient MicroBatcher<TextInput, RowData> batcher;
    private transient Counter nullRows;
    private transient Counter microBatches;
    private transient Counter failedRows;

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
        int subtask = 0;
        try {
            subtask = context.getTaskInfo().getIndexOfThisSubtask();
        } catch (RuntimeException outsideATask) {
            // Only in tests and constant folding: no task, so one instance.
        }
        session = ModelSession.open(spec.settings(), sharers(context));
        if (session.task() != spec.task()) {
            String found = session.task().id();
            close();
            throw new IllegalStateException("model " + spec.model() + ": the bundle at " + spec.bundle() + " is now a "
                    + found + " bundle, but it was a " + spec.task()
                    + " bundle when the query was planned; plan the query again");
        }
        metrics = ModelMetrics.register(context.getMetricGroup(), session);
        MetricGroup group = context.getMetricGroup().addGroup(TorchstreamMetrics.GROUP);
        nullRows = group.counter("nullInputs");
        microBatches = group.counter("microBatches");
        failedRows = group.counter("failedRows");
        // The worker thread, not this one, runs the model: the session warms it up before its first batch.
        batcher = new MicroBatcher<>(
                "torchstream-ml-predict-" + spec.bundleName() + "-" + subtask,
                batchSize,
                spec.batchMaxWait(),
                this::predict);
        LOG.info(
                "ML_PREDICT subtask {} serves model {} with {} ({}, batches of up to {} rows, {} libtorch threads, {} model)",
                subtask,
                spec.model(),
                spec.bundleName(),
                spec.columns().kind().description(),
                batchSize,
                session.threads(),
                session.shared() ? "shared" : "own");
    }

    /**
     * The DataStream operator's rule ({@link Slots#sharers}): FunctionContext keeps the operator's runtime
     * context to itself, so it is read reflectively; without it, the parallelism.
     */
    static int sharers(FunctionContext context) {
        try {
            Field field = FunctionContext.class.getDeclaredField("context");
            field.setAccessible(true);
            if (field.get(context) instanceof RuntimeContext runtime) {
                return Slots.sharers(runtime);
            }
        } catch (ReflectiveOperationException | RuntimeException notAvailable) {
            // Another Flink version: the parallelism below.
        }
        try {
            return Math.max(1, context.getTaskInfo().getNumberOfParallelSubtasks());
        } catch (RuntimeException outsideATask) {
            return 1;
        }
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
            // With an error column, a row without a text says so, so that a query can route it to its dead letters.
            return CompletableFuture.completedFuture(List.of(
                    spec.errorHandling() == ErrorHandling.COLUMN
                            ? spec.columns().failed("no text: the input is NULL")
                            : spec.columns().nulls()));
        }
        String refusal = spec.refusal(input);
        if (refusal != null) {
            try {
                return CompletableFuture.completedFuture(List.of(failed(refusal)));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        if (batcher == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("model " + spec.model() + " is not open"));
        }
        return batcher.submit(input).<Collection<RowData>>thenApply(List::of);
    }

    /** Runs one batch on the worker thread. */
    private List<RowData> predict(List<TextInput> inputs) {
        ModelSession.Batch batch = session.predictBatch(inputs);
        Predictions predictions = batch.predictions();
        List<RowData> rows = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            Prediction prediction = predictions.results().get(i);
            rows.add(
                    prediction == null
                            ? failed(predictions.error(i))
                            : spec.columns().write(prediction, predictions.embedding(i), batch.modelVersion()));
        }
        metrics.record(predictions);
        microBatches.inc();
        return rows;
    }

    /**
     * The row of an input the model could not predict, as 'error-handling' says: with {@code failover},
     * an exception that fails the row's batch, and so the job.
     */
    private RowData failed(String reason) {
        if (failedRows != null) {
            failedRows.inc();
        }
        return switch (spec.errorHandling()) {
            case FAILOVER ->
                throw new IllegalStateException("model " + spec.model() + ": " + reason
                        + " ('error-handling' = 'failover'; 'ignore' or 'column' keep the job running)");
            case IGNORE -> spec.columns().nulls();
            case COLUMN -> spec.columns().failed(reason);
        };
    }

    @Override
    public void close() {
        if (batcher != null && metrics.eventsOut() > 0) {
            LOG.info(
                    "ML_PREDICT model {}: {} rows in {} batches ({} forward passes), {} NULL inputs",
                    spec.model(),
                    metrics.eventsOut(),
                    microBatches.getCount(),
                    metrics.batches(),
                    nullRows.getCount());
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
        if (session != null) {
            session.close();
            session = null;
        }
    }
}
