package io.torchstream.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** The micro-batcher with a hand-written batch function: sizes, waits, order, failures and closing. */
class MicroBatcherTest {

    /** Records the batches it runs; can be held at a gate, or made to fail. */
    private static final class RecordingFunction implements MicroBatcher.BatchFunction<Integer, String> {
        final List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile CountDownLatch entered = new CountDownLatch(1);
        volatile boolean fail;
        volatile boolean nullResult;

        @Override
        public List<String> apply(List<Integer> inputs) throws Exception {
            batches.add(List.copyOf(inputs));
            entered.countDown();
            awaitLikeNativeCode(gate);
            if (fail) {
                throw new IllegalStateException("the model failed on " + inputs);
            }
            List<String> out = new ArrayList<>();
            for (Integer i : inputs) {
                out.add(nullResult && i == 1 ? null : "r" + i);
            }
            return out;
        }
    }

    /** A forward pass in libtorch does not notice interrupts: neither does this wait. */
    private static void awaitLikeNativeCode(CountDownLatch gate) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (gate.getCount() > 0 && System.nanoTime() < deadline) {
            try {
                gate.await(10, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private final RecordingFunction function = new RecordingFunction();
    private MicroBatcher<Integer, String> batcher;

    @AfterEach
    void close() {
        if (batcher != null) {
            batcher.close();
        }
    }

    @Test
    void fullBatchesRunWithoutWaiting() throws Exception {
        batcher = new MicroBatcher<>("test", 4, Duration.ofMinutes(5), function);
        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            futures.add(batcher.submit(i));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(function.batches).containsExactly(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7));
        assertThat(futures.get(5).get()).isEqualTo("r5");
    }

    @Test
    void aPartialBatchRunsAfterTheWait() throws Exception {
        batcher = new MicroBatcher<>("test", 8, Duration.ofMillis(50), function);
        long started = System.nanoTime();
        CompletableFuture<String> a = batcher.submit(1);
        CompletableFuture<String> b = batcher.submit(2);
        assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo("r1");
        assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo("r2");
        assertThat(System.nanoTime() - started)
                .isGreaterThanOrEqualTo(Duration.ofMillis(40).toNanos());
        assertThat(function.batches).containsExactly(List.of(1, 2));
    }

    @Test
    void rowsQueuedWhileABatchRunsMakeTheNextBatchAndCompleteInOrder() throws Exception {
        function.gate = new CountDownLatch(1);
        batcher = new MicroBatcher<>("test", 3, Duration.ofMillis(20), function);
        List<CompletableFuture<String>> futures = new ArrayList<>();
        List<Integer> completed = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 3; i++) {
            futures.add(batcher.submit(i));
        }
        assertThat(function.entered.await(10, TimeUnit.SECONDS)).isTrue();
        // The model is busy: these wait well beyond max-wait, yet run as one batch once it is free.
        for (int i = 3; i < 7; i++) {
            futures.add(batcher.submit(i));
        }
        for (int i = 0; i < futures.size(); i++) {
            int index = i;
            futures.get(i).thenRun(() -> completed.add(index));
        }
        Thread.sleep(100);
        function.gate.countDown();
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(function.batches).containsExactly(List.of(0, 1, 2), List.of(3, 4, 5), List.of(6));
        assertThat(completed).as("futures complete in submission order").containsExactly(0, 1, 2, 3, 4, 5, 6);
    }

    @Test
    void aFailingBatchFailsExactlyItsOwnRows() throws Exception {
        batcher = new MicroBatcher<>("test", 2, Duration.ofMillis(10), function);
        function.fail = true;
        CompletableFuture<String> a = batcher.submit(1);
        CompletableFuture<String> b = batcher.submit(2);
        assertThatThrownBy(() -> a.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasRootCauseMessage("the model failed on [1, 2]");
        // The worker fails the batch's futures one after the other: b's may still be on its way.
        assertThatThrownBy(() -> b.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasRootCauseMessage("the model failed on [1, 2]");
        function.fail = false;
        assertThat(batcher.submit(3).get(10, TimeUnit.SECONDS))
                .as("the worker goes on")
                .isEqualTo("r3");
    }

    @Test
    void aMissingResultFailsItsRowInsteadOfCompletingWithNull() throws Exception {
        batcher = new MicroBatcher<>("test", 2, Duration.ofMillis(10), function);
        function.nullResult = true;
        CompletableFuture<String> a = batcher.submit(0);
        CompletableFuture<String> b = batcher.submit(1);
        assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo("r0");
        assertThatThrownBy(() -> b.get(10, TimeUnit.SECONDS)).hasRootCauseMessage("a batch gave no result for input 1");
    }

    @Test
    void closingFailsWhatIsLeftAndLaterSubmissions() throws Exception {
        function.gate = new CountDownLatch(1);
        batcher = new MicroBatcher<>("test", 1, Duration.ZERO, function);
        CompletableFuture<String> running = batcher.submit(1);
        assertThat(function.entered.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<String> queued = batcher.submit(2);
        assertThat(batcher.close(Duration.ofMillis(50)))
                .as("the running batch has not ended")
                .isFalse();
        assertThat(queued).isCompletedExceptionally();
        assertThat(running)
                .as("a running batch's rows fail too: nobody waits for them")
                .isCompletedExceptionally();
        function.gate.countDown();
        assertThat(batcher.close(Duration.ofSeconds(10)))
                .as("closing twice is safe")
                .isTrue();
        assertThatThrownBy(() -> batcher.submit(3).get(1, TimeUnit.SECONDS))
                .hasRootCauseMessage("the micro-batcher test is closed");
        assertThat(batcher.unfinished()).isZero();
    }

    @Test
    void refusesImpossibleSettings() {
        assertThatThrownBy(() -> new MicroBatcher<>("test", 0, Duration.ZERO, function))
                .hasMessage("maxSize must be >= 1, got 0");
    }
}
