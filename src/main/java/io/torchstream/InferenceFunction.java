package io.torchstream;

import io.torchstream.internal.flink.LabelCounts;
import io.torchstream.internal.flink.ModelMetrics;
import io.torchstream.internal.flink.Slots;
import io.torchstream.internal.flink.TorchstreamMetrics;
import io.torchstream.internal.session.ModelSession;
import io.torchstream.internal.session.ModelSettings;
import io.torchstream.internal.task.Classification;
import io.torchstream.internal.task.ForwardStats;
import io.torchstream.internal.task.Prediction;
import io.torchstream.internal.task.Predictions;
import io.torchstream.internal.text.TextInput;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.accumulators.LongMaximum;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs micro-batches through the model: opens a {@link ModelSession} in {@link #open} (the TaskManager's
 * shared model or one of its own, whose load {@link #prefetch} started), predicts each batch in as few padded forward
 * passes as its lengths allow, makes one typed result per element in batch order (or says why the model failed
 * on it), and closes the session in
 * {@link #close} (safe to call twice).
 */
final class InferenceFunction<T, R> extends RichMapFunction<List<Request<T>>, List<Outcome<R>>>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(InferenceFunction.class);

    private final ModelSettings settings;
    private final ResultFactory<T, R> results;

    private transient ModelSession session;
    private transient ModelSession.Prefetch prefetch;
    private transient ListState<Long> versionState;
    private transient long restoredVersion;
    private transient ModelMetrics metrics;
    private transient LabelCounts labelCounts;
    private transient LongCounter eventsOutTotal;
    private transient LongCounter tokensComputedTotal;
    private transient LongCounter tokensRealTotal;
    private transient LongMaximum lastResult;

    InferenceFunction(ModelSettings settings, ResultFactory<T, R> results) {
        this.settings = settings;
        this.results = results;
    }

    /**
     * Starts loading the model on a thread of its own, for {@link #open} to take over: the operator calls it
     * as the task sets its chain up, before the operators after it (sinks) initialise.
     */
    void prefetch() {
        if (prefetch == null && session == null) {
            prefetch = ModelSession.prefetch(settings, Slots.sharers(getRuntimeContext()));
        }
    }

    @Override
    public void open(OpenContext openContext) {
        try {
            session = ModelSession.open(settings, Slots.sharers(getRuntimeContext()), restoredVersion, prefetch);
        } finally {
            prefetch = null;
        }
        // With libtorch's graph optimizer on, every thread that runs the model needs a warm-up of its own.
        session.warmUpThisThread();
        metrics = ModelMetrics.register(getRuntimeContext().getMetricGroup(), session);
        labelCounts = TorchstreamMetrics.accumulator(getRuntimeContext(), TorchstreamMetrics.LABELS, LabelCounts::new);
        eventsOutTotal = getRuntimeContext()
                .getLongCounter(TorchstreamMetrics.ACCUMULATOR_PREFIX + TorchstreamMetrics.EVENTS_OUT);
        tokensComputedTotal = getRuntimeContext()
                .getLongCounter(TorchstreamMetrics.ACCUMULATOR_PREFIX + TorchstreamMetrics.TOKENS_COMPUTED);
        tokensRealTotal = getRuntimeContext()
                .getLongCounter(TorchstreamMetrics.ACCUMULATOR_PREFIX + TorchstreamMetrics.TOKENS_REAL);
        lastResult = TorchstreamMetrics.accumulator(
                getRuntimeContext(), TorchstreamMetrics.LAST_RESULT_MILLIS, LongMaximum::new);
        LOG.info(
                "subtask {} serves {} version {} ({}, {} libtorch threads, {} model)",
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                session.modelName(),
                session.modelVersion(),
                session.task(),
                session.threads(),
                session.shared() ? "shared" : "own");
    }

    @Override
    public List<Outcome<R>> map(List<Request<T>> batch) {
        List<TextInput> inputs = new ArrayList<>(batch.size());
        for (Request<T> request : batch) {
            inputs.add(request.input());
        }
        ModelSession.Batch predicted = session.predictBatch(inputs);
        Predictions predictions = predicted.predictions();
        metrics.record(predictions);
        List<Outcome<R>> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Prediction prediction = predictions.results().get(i);
            if (prediction == null) {
                out.add(Outcome.failed(predictions.error(i)));
                continue;
            }
            if (prediction instanceof Classification c) {
                labelCounts.add(c.label());
            }
            out.add(Outcome.of(results.create(batch.get(i).value(), prediction, predicted)));
        }
        for (ForwardStats forward : predictions.forwards()) {
            tokensComputedTotal.add(forward.shape().tokens());
            tokensRealTotal.add(forward.realTokens());
        }
        eventsOutTotal.add((long) (out.size() - predictions.failures()));
        lastResult.add(System.currentTimeMillis());
        return out;
    }

    /**
     * Restores the repository version that served at the checkpoint, so that a replay after a failure runs
     * on it before the session moves on to newer ones. Runs before {@link #open}.
     */
    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        versionState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("torchstream-model-version", Types.LONG));
        restoredVersion = 0;
        if (context.isRestored()) {
            // Several subtasks' versions after a rescale: the highest, as every one of them moves on to it.
            for (Long version : versionState.get()) {
                restoredVersion = Math.max(restoredVersion, version);
            }
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        versionState.update(List.of(session == null ? restoredVersion : session.activeVersionNumber()));
    }

    @Override
    public void close() {
        // A task that failed before open (a sink that could not start) releases the model it started loading.
        if (prefetch != null) {
            prefetch.close();
            prefetch = null;
        }
        if (session != null) {
            session.close();
            session = null;
        }
    }
}
