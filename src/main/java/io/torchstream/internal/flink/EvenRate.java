package io.torchstream.internal.flink;

import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Evenly spaced events for load runs, the rate shared by the source's subtasks. Flink's {@code
 * RateLimiterStrategy.perSecond} is a token bucket that banks up to a second of permits while its source
 * waits, then spends them at once: bursts that measure the batcher's worst case rather than a steady load.
 * This limiter banks nothing: an event that is late is not followed by others to make up for it.
 */
public final class EvenRate<S extends SourceSplit> implements RateLimiterStrategy<S> {

    private static final long serialVersionUID = 1L;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "torchstream-even-rate");
        t.setDaemon(true);
        return t;
    });

    private final double perSecond;

    public EvenRate(double perSecond) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("the rate must be positive, got " + perSecond);
        }
        this.perSecond = perSecond;
    }

    @Override
    public RateLimiter<S> createRateLimiter(int parallelism) {
        long interval = (long) (1e9 * parallelism / perSecond);
        return new RateLimiter<>() {
            private long next = System.nanoTime();

            @Override
            public CompletionStage<Void> acquire(int permits) {
                long now = System.nanoTime();
                long at = Math.max(now, next);
                next = at + permits * interval;
                if (at <= now) {
                    return CompletableFuture.completedFuture(null);
                }
                CompletableFuture<Void> due = new CompletableFuture<>();
                TIMER.schedule(() -> due.complete(null), at - now, TimeUnit.NANOSECONDS);
                return due;
            }
        };
    }
}
