package io.torchstream.flink;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects records into batches of at most {@code maxSize}, emitted when full, when the oldest
 * record has waited {@code maxWaitMillis}, before every checkpoint barrier, before a watermark and at
 * end of input. Because it always flushes before a barrier, no record sits in the buffer across a
 * checkpoint, so the buffer needs no state. Runs in parallel and keeps the order of its input.
 */
public class MicroBatchOperator<T> extends AbstractStreamOperator<List<T>>
        implements OneInputStreamOperator<T, List<T>> {

    private static final long serialVersionUID = 1L;

    private final int maxSize;
    private final long maxWaitMillis;

    private transient List<T> buffer;
    // Counts flushes: a timer armed for an earlier, already flushed batch finds it moved on and does nothing.
    private transient long generation;

    public MicroBatchOperator(int maxSize, long maxWaitMillis) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("batch.max-size must be >= 1, got " + maxSize);
        }
        if (maxWaitMillis < 0) {
            throw new IllegalArgumentException("batch.max-wait must be >= 0 ms, got " + maxWaitMillis);
        }
        this.maxSize = maxSize;
        this.maxWaitMillis = maxWaitMillis;
    }

    @Override
    public void open() throws Exception {
        super.open();
        buffer = new ArrayList<>(maxSize);
    }

    @Override
    public void processElement(StreamRecord<T> element) throws Exception {
        buffer.add(element.getValue());
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

    private void flush() {
        generation++;
        if (buffer.isEmpty()) {
            return;
        }
        List<T> batch = buffer;
        buffer = new ArrayList<>(maxSize);
        output.collect(new StreamRecord<>(batch));
    }

    /** Records waiting for the next flush. */
    int buffered() {
        return buffer.size();
    }
}
