package io.torchstream.sql;

import org.apache.flink.annotation.Internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns one-at-a-time asynchronous calls into batches: {@link #submit} queues an input and returns its
 * future; one worker thread takes up to {@code maxSize} queued inputs, waiting at most {@code maxWait}
 * for a batch to fill once it is free, runs them together and completes their futures, batch by batch
 * in submission order. A batch that throws fails exactly its own futures; a future is never completed
 * with null.
 *
 * <p>The wait starts when the worker is free, not when the oldest input arrived: while a batch runs,
 * the caller cannot hand in more than its in-flight limit, so counting the run as waiting would only
 * send a few leftover inputs in a batch of their own. This is also how the DataStream job batches: its
 * buffer starts filling once the previous batch is done.
 *
 * @param <I> an input
 * @param <O> its result
 */
@Internal
final class MicroBatcher<I, O> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MicroBatcher.class);

    /** Runs one batch; returns one non-null result per input, in order. */
    @FunctionalInterface
    interface BatchFunction<I, O> {
        List<O> apply(List<I> inputs) throws Exception;
    }

    private record Pending<I, O>(I input, CompletableFuture<O> future) {}

    private final int maxSize;
    private final long maxWaitNanos;
    private final BatchFunction<I, O> function;
    private final LinkedBlockingQueue<Pending<I, O>> queue = new LinkedBlockingQueue<>();
    private final Set<CompletableFuture<O>> unfinished = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread worker;

    /**
     * @param name the worker thread's name
     * @param maxSize the most inputs per batch
     * @param maxWait the longest the free worker waits for a batch to fill
     * @param function runs a batch
     */
    MicroBatcher(String name, int maxSize, Duration maxWait, BatchFunction<I, O> function) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be >= 1, got " + maxSize);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative, got " + maxWait);
        }
        this.maxSize = maxSize;
        this.maxWaitNanos = maxWait.toNanos();
        this.function = function;
        this.worker = new Thread(this::work, name);
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /** Queues one input; its future completes with its result, or exceptionally with its batch's failure. */
    CompletableFuture<O> submit(I input) {
        CompletableFuture<O> future = new CompletableFuture<>();
        if (closed.get()) {
            future.completeExceptionally(
                    new IllegalStateException("the micro-batcher " + worker.getName() + " is closed"));
            return future;
        }
        unfinished.add(future);
        future.whenComplete((result, error) -> unfinished.remove(future));
        queue.add(new Pending<>(input, future));
        if (closed.get()) {
            // close() may have drained the queue before this input arrived.
            failAll(new IllegalStateException("the micro-batcher " + worker.getName() + " is closed"));
        }
        return future;
    }

    /** Inputs queued or running. */
    int unfinished() {
        return unfinished.size();
    }

    private void work() {
        List<Pending<I, O>> batch = new ArrayList<>(maxSize);
        while (!closed.get()) {
            try {
                batch.add(queue.take());
                queue.drainTo(batch, maxSize - batch.size());
                long deadline = System.nanoTime() + maxWaitNanos;
                while (batch.size() < maxSize) {
                    long left = deadline - System.nanoTime();
                    Pending<I, O> next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                    queue.drainTo(batch, maxSize - batch.size());
                }
            } catch (InterruptedException e) {
                failBatch(batch, new IllegalStateException("the micro-batcher " + worker.getName() + " was closed", e));
                return;
            }
            run(batch);
            batch.clear();
        }
    }

    private void run(List<Pending<I, O>> batch) {
        List<I> inputs = new ArrayList<>(batch.size());
        for (Pending<I, O> p : batch) {
            inputs.add(p.input());
        }
        List<O> results;
        try {
            results = function.apply(inputs);
        } catch (Throwable e) {
            // Even an Error fails only this batch: a dead worker would leave every later row to time out.
            failBatch(batch, e);
            return;
        }
        if (results == null || results.size() != batch.size()) {
            failBatch(
                    batch,
                    new IllegalStateException("a batch of " + batch.size() + " inputs gave "
                            + (results == null ? "no results" : results.size() + " results")));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            O result = results.get(i);
            if (result == null) {
                batch.get(i)
                        .future()
                        .completeExceptionally(new IllegalStateException("a batch gave no result for input " + i));
            } else {
                batch.get(i).future().complete(result);
            }
        }
    }

    private void failBatch(List<Pending<I, O>> batch, Throwable error) {
        for (Pending<I, O> p : batch) {
            p.future().completeExceptionally(error);
        }
    }

    private void failAll(Throwable error) {
        List<Pending<I, O>> left = new ArrayList<>();
        queue.drainTo(left);
        failBatch(left, error);
        for (CompletableFuture<O> future : unfinished) {
            future.completeExceptionally(error);
        }
    }

    /**
     * Stops the worker, waiting up to {@code grace} for a running batch to end, and fails every input
     * not yet done. Safe to call twice.
     *
     * @return whether the worker has stopped; if not, a batch is still running and whatever it uses
     *     must stay open
     */
    boolean close(Duration grace) {
        if (closed.compareAndSet(false, true)) {
            worker.interrupt();
        }
        try {
            worker.join(Math.max(1, grace.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failAll(new IllegalStateException("the micro-batcher " + worker.getName() + " was closed"));
        if (worker.isAlive()) {
            LOG.warn("{}: a batch still runs {} ms after close", worker.getName(), grace.toMillis());
            return false;
        }
        return true;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(60));
    }
}
