package io.torchstream.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/** The micro-batcher under Flink's operator test harness, with processing time under the test's control. */
class MicroBatchOperatorTest {

    private OneInputStreamOperatorTestHarness<Integer, List<Integer>> harness;

    @BeforeEach
    void open() throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(new MicroBatchOperator<>(3, 100));
        harness.open();
        harness.setProcessingTime(0);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private void send(int... values) throws Exception {
        for (int v : values) {
            harness.processElement(new StreamRecord<>(v));
        }
    }

    /** Everything emitted so far: batches as lists, watermarks as "W" + timestamp. */
    private List<Object> emitted() {
        List<Object> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                out.add(r.getValue());
            } else if (o instanceof Watermark w) {
                out.add("W" + w.getTimestamp());
            }
        }
        return out;
    }

    @Test
    void emitsAFullBatchAtOnce() throws Exception {
        send(1, 2);
        assertThat(emitted()).isEmpty();
        send(3, 4);
        assertThat(emitted()).containsExactly(List.of(1, 2, 3));
    }

    @Test
    void emitsAPartialBatchWhenItsOldestRecordHasWaitedMaxWait() throws Exception {
        send(1);
        harness.setProcessingTime(60);
        send(2);
        harness.setProcessingTime(99);
        assertThat(emitted()).isEmpty();
        harness.setProcessingTime(100);
        assertThat(emitted()).containsExactly(List.of(1, 2));
    }

    @Test
    void aTimerOfAnAlreadyFlushedBatchDoesNotCutTheNextOneShort() throws Exception {
        send(1, 2, 3); // flushed by size at t=0; its timer (t=100) is now stale
        harness.setProcessingTime(50);
        send(4); // a new batch, due at t=150
        harness.setProcessingTime(100);
        assertThat(emitted()).containsExactly(List.of(1, 2, 3));
        harness.setProcessingTime(150);
        assertThat(emitted()).containsExactly(List.of(1, 2, 3), List.of(4));
    }

    @Test
    void flushesBeforeEveryCheckpointBarrier() throws Exception {
        send(1, 2);
        harness.prepareSnapshotPreBarrier(1L);
        assertThat(emitted()).containsExactly(List.of(1, 2));
        harness.prepareSnapshotPreBarrier(2L);
        assertThat(emitted()).as("an empty buffer emits nothing").hasSize(1);
    }

    @Test
    void flushesBeforeAWatermarkSoThatNoRecordOvertakesIt() throws Exception {
        send(1);
        harness.processWatermark(new Watermark(7));
        assertThat(emitted()).containsExactly(List.of(1), "W7");
    }

    @Test
    void flushesAtEndOfInput() throws Exception {
        send(1, 2);
        harness.getOneInputOperator().finish();
        assertThat(emitted()).containsExactly(List.of(1, 2));
    }

    @Test
    void keepsInputOrderAcrossBatches() throws Exception {
        for (int i = 0; i < 10; i++) {
            send(i);
        }
        harness.getOneInputOperator().finish();
        List<Integer> flattened = new ArrayList<>();
        harness.extractOutputValues().forEach(flattened::addAll);
        assertThat(flattened).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(harness.extractOutputValues()).extracting(List::size).containsExactly(3, 3, 3, 1);
    }

    @Test
    void zeroWaitRunsEveryRecordAtOnce() throws Exception {
        try (var zero = new OneInputStreamOperatorTestHarness<Integer, List<Integer>>(new MicroBatchOperator<>(8, 0))) {
            zero.open();
            zero.processElement(new StreamRecord<>(1));
            assertThat(zero.extractOutputValues()).containsExactly(List.of(1));
        }
    }

    @Test
    void closingTwiceIsSafe() throws Exception {
        harness.close();
        harness.close();
    }

    @Test
    void rejectsImpossibleSettings() {
        assertThatThrownBy(() -> new MicroBatchOperator<>(0, 10)).hasMessageContaining("batch.max-size must be >= 1, got 0");
        assertThatThrownBy(() -> new MicroBatchOperator<>(4, -1)).hasMessageContaining("batch.max-wait must be >= 0 ms, got -1");
    }
}
