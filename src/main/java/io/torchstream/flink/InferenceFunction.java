package io.torchstream.flink;

import io.torchstream.bundle.Task;
import io.torchstream.runtime.TorchEngine;
import io.torchstream.task.Classification;
import io.torchstream.task.Embedding;
import io.torchstream.task.ForwardStats;
import io.torchstream.task.LabelClassifier;
import io.torchstream.task.Prediction;
import io.torchstream.task.Predictions;
import io.torchstream.task.SharedModels;
import io.torchstream.task.TextModel;
import io.torchstream.task.TokenTagger;
import io.torchstream.text.TextInput;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.accumulators.LongMaximum;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Runs micro-batches of events through the model: loads the bundle in {@link #open} (warmed up at
 * every shape it may run), pads each batch to the smallest verified shape, decodes, and frees the
 * model in {@link #close} (safe to call twice). Results keep the order of the batch.
 */
public class InferenceFunction extends RichMapFunction<List<TextEvent>, List<OutputRecord>> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(InferenceFunction.class);

    private final ModelSettings settings;
    private final String idField;

    private transient SharedModels.Lease lease;
    private transient TextModel model;
    private transient ResultFormatter formatter;
    private transient LabelClassifier labels;
    private transient TokenTagger tagger;
    private transient LabelCounts labelCounts;
    private transient Counter eventsOut;
    private transient LongCounter eventsOutTotal;
    private transient LongCounter tokensComputedTotal;
    private transient LongCounter tokensRealTotal;
    private transient LongMaximum lastResult;
    private transient Counter batches;
    private transient Counter tokensComputed;
    private transient Counter tokensReal;
    private transient Histogram batchSize;
    private transient Histogram latency;

    public InferenceFunction(ModelSettings settings, String idField) {
        this.settings = settings;
        this.idField = idField;
    }

    @Override
    public void open(OpenContext openContext) {
        int threads = intraOpThreads(settings.intraOpThreads(), getRuntimeContext());
        Path bundle = Path.of(settings.bundle());
        lease = settings.sharing() == ModelSharing.TASK_MANAGER
                ? SharedModels.share(bundle, threads, settings.shapes())
                : SharedModels.own(bundle, threads, settings.shapes());
        model = lease.model();
        if (settings.sharing() == ModelSharing.TASK_MANAGER) {
            // The model was warmed up on the thread that loaded it; this subtask's thread needs its own.
            model.warmUpThisThread();
        }
        formatter = new ResultFormatter(idField, settings.includeScores(), model.manifest());
        if (!settings.labels().isEmpty()) {
            labels = LabelClassifier.create(model, settings.labels(), settings.labelScale());
        }
        if (model.task() == Task.TOKEN_CLASSIFICATION) {
            ModelSettings.Tagging t = settings.tagging();
            tagger = TokenTagger.create(model.bundle(), model, t.aggregation(), t.stride(), Set.copyOf(t.ignoreLabels()));
        }
        labelCounts = new LabelCounts();
        getRuntimeContext().addAccumulator(TorchstreamMetrics.ACCUMULATOR_PREFIX + TorchstreamMetrics.LABELS, labelCounts);
        LOG.info("subtask {} serves {} ({}, {} libtorch threads, {} model)",
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), model.manifest().name(), model.task(), threads,
                settings.sharing() == ModelSharing.TASK_MANAGER ? "shared" : "own");

        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup(TorchstreamMetrics.GROUP);
        eventsOut = group.counter(TorchstreamMetrics.EVENTS_OUT);
        eventsOutTotal = getRuntimeContext().getLongCounter(TorchstreamMetrics.ACCUMULATOR_PREFIX + TorchstreamMetrics.EVENTS_OUT);
        tokensComputedTotal = getRuntimeContext().getLongCounter(TorchstreamMetrics.ACCUMULATOR_PREFIX + TorchstreamMetrics.TOKENS_COMPUTED);
        tokensRealTotal = getRuntimeContext().getLongCounter(TorchstreamMetrics.ACCUMULATOR_PREFIX + TorchstreamMetrics.TOKENS_REAL);
        lastResult = new LongMaximum();
        getRuntimeContext().addAccumulator(TorchstreamMetrics.ACCUMULATOR_PREFIX + TorchstreamMetrics.LAST_RESULT_MILLIS, lastResult);
        batches = group.counter(TorchstreamMetrics.BATCHES);
        tokensComputed = group.counter(TorchstreamMetrics.TOKENS_COMPUTED);
        tokensReal = group.counter(TorchstreamMetrics.TOKENS_REAL);
        batchSize = group.histogram(TorchstreamMetrics.BATCH_SIZE, new DescriptiveStatisticsHistogram(1000));
        latency = group.histogram(TorchstreamMetrics.INFERENCE_LATENCY, new DescriptiveStatisticsHistogram(1000));
        long loadMillis = model.loadMillis();
        group.gauge(TorchstreamMetrics.MODEL_LOAD_TIME, () -> loadMillis);
        group.gauge(TorchstreamMetrics.PADDING_RATIO, () -> {
            long computed = tokensComputed.getCount();
            return computed == 0 ? 0.0 : 1.0 - (double) tokensReal.getCount() / computed;
        });
    }

    /** {@link TorchEngine#threadsFor} with this TaskManager's slots running the job as the sharers. */
    static int intraOpThreads(int configured, RuntimeContext context) {
        int slots = context.getTaskInfo().getNumberOfParallelSubtasks();
        if (context instanceof StreamingRuntimeContext streaming) {
            slots = Math.min(slots, streaming.getTaskManagerRuntimeInfo().getConfiguration().get(TaskManagerOptions.NUM_TASK_SLOTS));
        }
        return TorchEngine.threadsFor(configured, slots);
    }

    @Override
    public List<OutputRecord> map(List<TextEvent> batch) {
        List<TextInput> inputs = new ArrayList<>(batch.size());
        for (TextEvent event : batch) {
            inputs.add(new TextInput(event.text(), event.textPair()));
        }
        Predictions predictions = tagger != null ? tagger.tag(inputs) : model.predict(inputs);
        List<OutputRecord> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Prediction prediction = predictions.results().get(i);
            if (labels != null) {
                prediction = labels.classify((Embedding) prediction);
            }
            if (prediction instanceof Classification c) {
                labelCounts.add(c.label());
            }
            out.add(formatter.format(batch.get(i), prediction));
        }
        for (ForwardStats forward : predictions.forwards()) {
            batches.inc();
            batchSize.update(forward.rows());
            latency.update(forward.nanos() / 1_000_000);
            tokensComputed.inc(forward.shape().tokens());
            tokensReal.inc(forward.realTokens());
            tokensComputedTotal.add(forward.shape().tokens());
            tokensRealTotal.add(forward.realTokens());
        }
        eventsOut.inc(out.size());
        eventsOutTotal.add((long) out.size());
        lastResult.add(System.currentTimeMillis());
        return out;
    }

    @Override
    public void close() {
        if (tagger != null) {
            tagger.close();
            tagger = null;
        }
        if (lease != null) {
            lease.close();
            lease = null;
            model = null;
        }
    }
}
