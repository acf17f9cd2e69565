package io.torchstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The micro-batching operator under Flink's operator test harness, with processing time under the
 * test's control and a hand-written batch function in place of the model: flush points, order,
 * timestamps and watermarks, and dead letters.
 */
class InferenceOperatorTest {

    /** Stands in for the model: upper-cases each text, fails on "poison", and records the batches it ran. */
    private static final class RecordingFunction implements MapFunction<List<Request<String>>, List<Outcome<String>>> {
        final List<List<String>> batches = new ArrayList<>();

        @Override
        public List<Outcome<String>> map(List<Request<String>> batch) {
            batches.add(batch.stream().map(Request::value).toList());
            return batch.stream()
                    .map(r -> r.input().text().equals("poison")
                            ? Outcome.<String>failed("the model failed on this text")
                            : Outcome.of(r.input().text().toUpperCase()))
                    .toList();
        }
    }

    private static final OutputTag<DeadLetter<String>> DEAD = Torchstream.deadLetterTag(Types.STRING);

    private RecordingFunction function;
    private OneInputStreamOperatorTestHarness<String, String> harness;

    private OneInputStreamOperatorTestHarness<String, String> harness(
            int maxSize, long maxWait, TextFunction<String> text) throws Exception {
        function = new RecordingFunction();
        var h = new OneInputStreamOperatorTestHarness<>(
                new InferenceOperator<>(function, new TextAdmission<>(text, null, false, 20), DEAD, maxSize, maxWait));
        h.open();
        h.setProcessingTime(0);
        return h;
    }

    @BeforeEach
    void open() throws Exception {
        harness = harness(3, 100, s -> s);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private void send(String... values) throws Exception {
        for (String v : values) {
            harness.processElement(new StreamRecord<>(v));
        }
    }

    /** Everything emitted so far: results, and watermarks as "W" + timestamp. */
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
    void runsAFullBatchAtOnce() throws Exception {
        send("a", "b");
        assertThat(emitted()).isEmpty();
        send("c", "d");
        assertThat(function.batches).containsExactly(List.of("a", "b", "c"));
        assertThat(emitted()).containsExactly("A", "B", "C");
    }

    @Test
    void runsAPartialBatchWhenItsOldestElementHasWaitedMaxWait() throws Exception {
        send("a");
        harness.setProcessingTime(60);
        send("b");
        harness.setProcessingTime(99);
        assertThat(emitted()).isEmpty();
        harness.setProcessingTime(100);
        assertThat(function.batches).containsExactly(List.of("a", "b"));
    }

    @Test
    void aTimerOfAnAlreadyFlushedBatchDoesNotCutTheNextOneShort() throws Exception {
        send("a", "b", "c"); // run by size at t=0; its timer (t=100) is now stale
        harness.setProcessingTime(50);
        send("d"); // a new batch, due at t=150
        harness.setProcessingTime(100);
        assertThat(function.batches).containsExactly(List.of("a", "b", "c"));
        harness.setProcessingTime(150);
        assertThat(function.batches).containsExactly(List.of("a", "b", "c"), List.of("d"));
    }

    @Test
    void runsBeforeEveryCheckpointBarrier() throws Exception {
        send("a", "b");
        harness.prepareSnapshotPreBarrier(1L);
        assertThat(function.batches).containsExactly(List.of("a", "b"));
        harness.prepareSnapshotPreBarrier(2L);
        assertThat(function.batches).as("an empty buffer runs nothing").hasSize(1);
    }

    @Test
    void runsBeforeAWatermarkSoThatNoResultOvertakesIt() throws Exception {
        send("a");
        harness.processWatermark(new Watermark(7));
        assertThat(emitted()).containsExactly("A", "W7");
    }

    @Test
    void everyResultKeepsItsElementsTimestamp() throws Exception {
        harness.processElement(new StreamRecord<>("a", 1000));
        harness.processElement(new StreamRecord<>("b"));
        harness.processElement(new StreamRecord<>("c", 3000));
        List<String> stamped = harness.getOutput().stream()
                .map(o -> (StreamRecord<?>) o)
                .map(r -> r.getValue() + "@" + (r.hasTimestamp() ? r.getTimestamp() : "none"))
                .collect(Collectors.toList());
        assertThat(stamped).containsExactly("A@1000", "B@none", "C@3000");
    }

    @Test
    void runsAtEndOfInput() throws Exception {
        send("a", "b");
        harness.getOneInputOperator().finish();
        assertThat(function.batches).containsExactly(List.of("a", "b"));
    }

    @Test
    void keepsInputOrderAcrossBatches() throws Exception {
        for (int i = 0; i < 10; i++) {
            send("e" + i);
        }
        harness.getOneInputOperator().finish();
        assertThat(harness.extractOutputValues())
                .containsExactly("E0", "E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9");
        assertThat(function.batches).extracting(List::size).containsExactly(3, 3, 3, 1);
    }

    @Test
    void zeroWaitRunsEveryElementAtOnce() throws Exception {
        try (var zero = harness(8, 0, s -> s)) {
            zero.processElement(new StreamRecord<>("a"));
            assertThat(zero.extractOutputValues()).containsExactly("A");
        }
    }

    @Test
    void elementsWithoutAUsableTextAreDeadLettersWithTheirReasonAndTimestamp() throws Exception {
        try (var h = harness(
                8,
                100,
                s -> s.startsWith("throw") ? Integer.toString(Integer.parseInt(s)) : s.equals("null") ? null : s)) {
            String[] in = {"fine", "", "   ", "null", "throw me", "x".repeat(21), "also fine"};
            for (int i = 0; i < in.length; i++) {
                h.processElement(new StreamRecord<>(in[i], i));
            }
            h.getOneInputOperator().finish();
            assertThat(h.extractOutputValues()).containsExactly("FINE", "ALSO FINE");
            List<StreamRecord<DeadLetter<String>>> dead = new ArrayList<>(h.getSideOutput(DEAD));
            assertThat(dead)
                    .extracting(r -> r.getValue().getReason())
                    .containsExactly(
                            "empty text",
                            "empty text",
                            "null text",
                            "the text function threw NumberFormatException: For input string: \"throw me\"",
                            "text of 21 characters is over the limit of 20");
            assertThat(dead)
                    .extracting(r -> r.getValue().getValue())
                    .containsExactly("", "   ", "null", "throw me", "x".repeat(21));
            assertThat(dead).extracting(StreamRecord::getTimestamp).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(h.extractOutputValues().size() + dead.size())
                    .as("in = results + dead letters")
                    .isEqualTo(in.length);
        }
    }

    @Test
    void anElementTheModelFailsOnIsADeadLetterAfterItsBatchAndItsNeighboursAreResults() throws Exception {
        harness.processElement(new StreamRecord<>("a", 1));
        harness.processElement(new StreamRecord<>("poison", 2));
        harness.processElement(new StreamRecord<>("c", 3));
        assertThat(harness.extractOutputValues()).containsExactly("A", "C");
        assertThat(harness.getSideOutput(DEAD))
                .extracting(r -> r.getValue().getValue() + ": " + r.getValue().getReason() + " @" + r.getTimestamp())
                .containsExactly("poison: the model failed on this text @2");
    }

    @Test
    void closingTwiceIsSafe() throws Exception {
        harness.close();
        harness.close();
    }

    @Test
    void rejectsImpossibleSettings() {
        TextAdmission<String> admission = new TextAdmission<>(s -> s, null, false, 20);
        assertThatThrownBy(() -> new InferenceOperator<>(new RecordingFunction(), admission, DEAD, 0, 10))
                .hasMessageContaining("batch.max-size must be >= 1, got 0");
        assertThatThrownBy(() -> new InferenceOperator<>(new RecordingFunction(), admission, DEAD, 4, -1))
                .hasMessageContaining("batch.max-wait must be >= 0 ms, got -1");
    }
}
