package io.torchstream;

import io.torchstream.internal.flink.TorchstreamMetrics;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.graph.StreamConfig;
import org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.StreamTask;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.List;

/**
 * Micro-batches elements and runs each batch through its function (the model), in parallel and in
 * input order. A batch runs when it holds {@code maxSize} elements, when its oldest has waited {@code
 * maxWaitMillis}, before every checkpoint barrier, before a watermark and at end of input; because it
 * always runs before a barrier, no element sits in the buffer across a checkpoint, and the buffer needs
 * no state. Every result carries its element's timestamp, and a watermark passes only after the elements
 * before it, so event time survives the batching. Elements the model cannot take (no text, an empty or
 * oversized one, a text function that throws) go to the dead-letter side output at once; those the model
 * fails on alone (a text too long when truncation is off, an input the tokenizer or the model throws on) go
 * there after their batch, in its order.
 */
final class InferenceOperator<T, R>
        extends AbstractUdfStreamOperator<R, MapFunction<List<Request<T>>, List<Outcome<R>>>>
        implements OneInputStreamOperator<T, R> {

    private static final long serialVersionUID = 1L;

    private final TextAdmission<T> admission;
    private final OutputTag<DeadLetter<T>> deadLetters;
    private final int maxSize;
    private final long maxWaitMillis;

    private transient List<Request<T>> buffer;
    // With object reuse, the caller may reuse the element once processElement returns: buffered ones are copies.
    private transient TypeSerializer<T> copier;
    private transient StreamRecord<R> reuse;
    // Counts flushes: a timer armed for an earlier, already flushed batch finds it moved on and does nothing.
    private transient long generation;
    private transient Counter deadLetterCount;
    private transient LongCounter deadLettersTotal;

    InferenceOperator(
            MapFunction<List<Request<T>>, List<Outcome<R>>> function,
            TextAdmission<T> admission,
            OutputTag<DeadLetter<T>> deadLetters,
            int maxSize,
            long maxWaitMillis) {
        super(function);
        if (maxSize < 1) {
            throw new IllegalArgumentException("batch.max-size must be >= 1, got " + maxSize);
        }
        if (maxWaitMillis < 0) {
            throw new IllegalArgumentException("batch.max-wait must be >= 0 ms, got " + maxWaitMillis);
        }
        this.admission = admission;
        this.deadLetters = deadLetters;
        this.maxSize = maxSize;
        this.maxWaitMillis = maxWaitMillis;
    }

    @Override
    protected void setup(StreamTask<?, ?> containingTask, StreamConfig config, Output<StreamRecord<R>> output) {
        super.setup(containingTask, config, output);
        // Flink initialises a chain's operators from its tail: the model loads while the sinks after it start.
        if (userFunction instanceof InferenceFunction<?, ?> inference) {
            inference.prefetch();
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        buffer = new ArrayList<>(maxSize);
        reuse = new StreamRecord<>(null);
        copier = getExecutionConfig().isObjectReuseEnabled()
                ? getOperatorConfig().<T>getTypeSerializerIn(0, getUserCodeClassloader())
                : null;
        deadLetterCount = getMetricGroup().addGroup(TorchstreamMetrics.GROUP).counter(TorchstreamMetrics.DEAD_LETTERS);
        deadLettersTotal = getRuntimeContext()
                .getLongCounter(TorchstreamMetrics.ACCUMULATOR_PREFIX + TorchstreamMetrics.DEAD_LETTERS);
    }

    @Override
    public void processElement(StreamRecord<T> element) throws Exception {
        T value = copier == null ? element.getValue() : copier.copy(element.getValue());
        Request<T> request;
        try {
            request = new Request<>(value, admission.admit(value), element.getTimestamp(), element.hasTimestamp());
        } catch (TextAdmission.Refused refused) {
            refuse(value, refused.getMessage(), element.hasTimestamp(), element.getTimestamp());
            return;
        }
        buffer.add(request);
        if (buffer.size() >= maxSize || maxWaitMillis == 0) {
            flush();
        } else if (buffer.size() == 1) {
            long armed = generation;
            long now = getProcessingTimeService().getCurrentProcessingTime();
            getProcessingTimeService().registerTimer(now + maxWaitMillis, timestamp -> {
                if (armed == generation) {
                    flush();
                }
            });
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    private void flush() throws Exception {
        generation++;
        if (buffer.isEmpty()) {
            return;
        }
        List<Request<T>> batch = buffer;
        buffer = new ArrayList<>(maxSize);
        List<Outcome<R>> outcomes = userFunction.map(batch);
        for (int i = 0; i < batch.size(); i++) {
            Request<T> request = batch.get(i);
            Outcome<R> outcome = outcomes.get(i);
            if (outcome.error() != null) {
                refuse(request.value(), outcome.error(), request.hasTimestamp(), request.timestamp());
            } else if (request.hasTimestamp()) {
                output.collect(reuse.replace(outcome.result(), request.timestamp()));
            } else {
                reuse.eraseTimestamp();
                output.collect(reuse.replace(outcome.result()));
            }
        }
    }

    private void refuse(T value, String reason, boolean hasTimestamp, long timestamp) {
        deadLetterCount.inc();
        deadLettersTotal.add(1L);
        DeadLetter<T> letter = new DeadLetter<>(value, reason);
        output.collect(deadLetters, hasTimestamp ? new StreamRecord<>(letter, timestamp) : new StreamRecord<>(letter));
    }

    /** Elements waiting for the next flush. */
    int buffered() {
        return buffer.size();
    }
}
