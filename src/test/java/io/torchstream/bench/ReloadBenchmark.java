package io.torchstream.bench;

import io.torchstream.Classified;
import io.torchstream.ModelSpec;
import io.torchstream.Torchstream;
import io.torchstream.internal.flink.EvenRate;
import io.torchstream.testing.BundleCopies;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * {@code bin/torchstream reload-bench [--swaps 20] [--rate 100] [--every 4s]}: the default job's model
 * served from a repository while a new version is published every few seconds, at a steady rate of
 * headlines on a MiniCluster (parallelism 1). Reports each swap's load-and-warm-up time, the p99 latency
 * (event created to result) in the seconds around swaps against the steady state between them, and the
 * process's resident memory after each swap.
 */
public final class ReloadBenchmark {

    private ReloadBenchmark() {}

    /** An event: a headline and when it was made. */
    public static class Headline {
        public long id;
        public String text;
        public long createdNanos;

        public Headline() {}
    }

    record Sample(long atNanos, double latencyMs, String version) {}

    static final List<Sample> SAMPLES = Collections.synchronizedList(new ArrayList<>());

    static final class Latency implements MapFunction<Classified<Headline>, Classified<Headline>> {
        @Override
        public Classified<Headline> map(Classified<Headline> c) {
            long now = System.nanoTime();
            SAMPLES.add(new Sample(now, (now - c.getValue().createdNanos) / 1e6, c.getModelVersion()));
            return c;
        }
    }

    public static void main(String[] args) throws Exception {
        int swaps = 20;
        double rate = 100;
        Duration every = Duration.ofSeconds(4);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--swaps" -> swaps = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Double.parseDouble(args[++i]);
                case "--every" -> every = Duration.parse("PT" + args[++i].toUpperCase(Locale.ROOT));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path model = Path.of("models/all-minilm-l6-v2");
        Path repo = Path.of("target/reload-bench/repo");
        if (Files.exists(repo.getParent())) {
            BundleCopies.delete(repo.getParent());
        }
        BundleCopies.copy(model, repo.resolve("1"));
        List<String> texts = BenchEvents.texts(List.of(Path.of("data/headlines-test.jsonl")));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
        long events = (long) (rate * (every.toSeconds() * (swaps + 2) + 10));
        DataStream<Headline> headlines = env.fromSource(
                new DataGeneratorSource<>(
                        n -> {
                            Headline h = new Headline();
                            h.id = n;
                            h.text = texts.get((int) (n % texts.size()));
                            h.createdNanos = System.nanoTime();
                            return h;
                        },
                        events,
                        new EvenRate<>(rate),
                        TypeInformation.of(Headline.class)),
                WatermarkStrategy.noWatermarks(),
                "headlines");
        Torchstream.classify(headlines)
                .text(h -> h.text)
                .model(ModelSpec.bundle(repo.toString())
                        .labelsFile("jobs/labels/news-topics.yaml")
                        .reloadEvery(Duration.ofMillis(250)))
                .batch(32, Duration.ofMillis(20))
                .uid("classify")
                .build()
                .map(new Latency())
                .sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("reload-bench");

        // Steady state first; then a version every `every`, each noted when published and when it first served.
        Thread.sleep(every.toMillis() * 2);
        long[] published = new long[swaps];
        long[] served = new long[swaps];
        long[] rssKb = new long[swaps + 1];
        rssKb[0] = rssKb();
        for (int s = 0; s < swaps; s++) {
            String version = Integer.toString(s + 2);
            Path staging = BundleCopies.copy(model, repo.resolve(".staging"));
            published[s] = System.nanoTime();
            Files.move(staging, repo.resolve(version));
            served[s] = awaitVersion(version, Duration.ofSeconds(120));
            Thread.sleep(Math.max(0, every.toMillis() - (served[s] - published[s]) / 1_000_000));
            rssKb[s + 1] = rssKb();
            System.err.printf(
                    Locale.ROOT,
                    "swap %d: version %s served %.2f s after it was published; RSS %d MB%n",
                    s + 1,
                    version,
                    (served[s] - published[s]) / 1e9,
                    rssKb[s + 1] / 1024);
        }
        job.cancel().get();
        report(published, served, rssKb, rate, every);
    }

    private static long awaitVersion(String version, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (SAMPLES) {
                for (int i = SAMPLES.size() - 1; i >= 0 && i >= SAMPLES.size() - 500; i--) {
                    if (SAMPLES.get(i).version().equals(version)) {
                        long first = SAMPLES.get(i).atNanos();
                        for (int k = i; k >= 0 && SAMPLES.get(k).version().equals(version); k--) {
                            first = SAMPLES.get(k).atNanos();
                        }
                        return first;
                    }
                }
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("version " + version + " never served");
    }

    private static void report(long[] published, long[] served, long[] rssKb, double rate, Duration every) {
        List<Double> during = new ArrayList<>();
        List<Double> steady = new ArrayList<>();
        List<Sample> samples;
        synchronized (SAMPLES) {
            samples = List.copyOf(SAMPLES);
        }
        long warmUpEnd = samples.get(0).atNanos() + every.toNanos();
        for (Sample sample : samples) {
            if (sample.atNanos() < warmUpEnd) {
                continue;
            }
            boolean inSwap = false;
            for (int s = 0; s < published.length; s++) {
                // From publication to one second after the new version first served.
                if (sample.atNanos() >= published[s] && sample.atNanos() <= served[s] + 1_000_000_000L) {
                    inSwap = true;
                    break;
                }
            }
            (inSwap ? during : steady).add(sample.latencyMs());
        }
        double[] swapSeconds = new double[published.length];
        for (int s = 0; s < published.length; s++) {
            swapSeconds[s] = (served[s] - published[s]) / 1e9;
        }
        Arrays.sort(swapSeconds);
        long firstAfter = rssKb[1];
        long last = rssKb[rssKb.length - 1];
        long max = Arrays.stream(rssKb, 1, rssKb.length).max().orElse(0);
        System.out.printf(
                Locale.ROOT,
                "reload-bench: %d swaps of all-minilm-l6-v2 every %d s at %.0f events/s, p=1%n",
                published.length,
                every.toSeconds(),
                rate);
        System.out.printf(
                Locale.ROOT,
                "publish to first result of the new version: median %.2f s, max %.2f s%n",
                swapSeconds[swapSeconds.length / 2],
                swapSeconds[swapSeconds.length - 1]);
        System.out.printf(
                Locale.ROOT,
                "p99 latency: steady %.1f ms (p50 %.1f, %d events), during swaps %.1f ms"
                        + " (p50 %.1f, %d events): ratio %.2f%n",
                percentile(steady, 99),
                percentile(steady, 50),
                steady.size(),
                percentile(during, 99),
                percentile(during, 50),
                during.size(),
                percentile(during, 99) / percentile(steady, 99));
        System.out.printf(
                Locale.ROOT,
                "RSS: before the first swap %d MB, after it %d MB, after the last %d MB"
                        + " (max %d MB): growth after the first %.1f%%%n",
                rssKb[0] / 1024,
                firstAfter / 1024,
                last / 1024,
                max / 1024,
                100.0 * (max - firstAfter) / firstAfter);
    }

    private static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted =
                values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
    }

    private static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}
