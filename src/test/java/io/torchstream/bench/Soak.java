package io.torchstream.bench;

import com.fasterxml.jackson.databind.JsonNode;

import io.torchstream.testing.BuildFacts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/torchstream soak}: runs a job on a local cluster of real processes for a given time at
 * half of its measured maximum rate, sampling the TaskManager's resident memory, threads and the JVM's
 * native memory (NMT); passes when RSS grows less than 5% over the last 80% of the run. Writes
 * target/soak/samples.csv and report.txt.
 */
public final class Soak {

    private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");

    /** One sample of the TaskManager. */
    public record Sample(double seconds, long rssKb, long threads, long nmtCommittedKb) {}

    /** The outcome. */
    public record Result(
            double rate, List<Sample> samples, double rssGrowth, long threadsMin, long threadsMax, String report) {
        public boolean passed() {
            return rssGrowth < 0.05;
        }
    }

    private Soak() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("--minutes", "60");
        a.put("--rate", "0");
        a.put("--job", "jobs/demo.yaml");
        a.put("--dir", "target/soak");
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!a.containsKey(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + a.keySet());
            }
            a.put(args[i], args[i + 1]);
        }
        Result result = run(
                Path.of(""),
                Path.of(a.get("--dir")),
                Path.of(a.get("--job")),
                Duration.ofSeconds((long) (Double.parseDouble(a.get("--minutes")) * 60)),
                Double.parseDouble(a.get("--rate")));
        System.out.println(result.report());
        System.exit(result.passed() ? 0 : 1);
    }

    /**
     * @param rate events per second; 0 measures the job's maximum rate on an embedded cluster first
     *     and takes half of it
     */
    public static Result run(Path project, Path dir, Path job, Duration duration, double rate) throws Exception {
        Files.createDirectories(dir);
        Path texts = Path.of("data/headlines-dev.jsonl");
        if (rate <= 0) {
            rate = measureMaxRate(dir, job, texts) / 2;
        }
        Path jar = project.resolve(BuildFacts.CLUSTER_JAR);
        List<Sample> samples = new ArrayList<>();
        StringBuilder report = new StringBuilder();
        try (LocalFlinkCluster cluster = LocalFlinkCluster.start(project, dir.resolve("cluster"), 2, Map.of())) {
            LocalFlinkCluster.Node tm = cluster.startTaskManager();
            LocalFlinkCluster.Submission submission = cluster.submit(
                    true,
                    jar,
                    job.toString(),
                    "--set",
                    "name=soak",
                    "--set",
                    "input.type=generator",
                    "--set",
                    "input.generator.texts=" + texts.toAbsolutePath(),
                    "--set",
                    "input.generator.rate=" + rate,
                    "--set",
                    "output.type=file",
                    "--set",
                    "output.path=" + dir.resolve("results.jsonl").toAbsolutePath(),
                    "--set",
                    "dead-letters.type=file",
                    "--set",
                    "dead-letters.path=" + dir.resolve("dead-letters.jsonl").toAbsolutePath(),
                    "--set",
                    "job.checkpoint-interval=30s");
            if (submission.jobId() == null) {
                throw new IllegalStateException("the soak job was not submitted:\n" + submission.output());
            }
            LocalFlinkCluster.waitFor(
                    Duration.ofMinutes(3), "the soak job to run", () -> cluster.allTasksRunning(submission.jobId()));
            long started = System.nanoTime();
            long end = started + duration.toNanos();
            long interval = Math.max(1_000_000_000L, duration.toNanos() / 240);
            while (System.nanoTime() < end) {
                if (!tm.isAlive() || !"RUNNING".equals(cluster.jobState(submission.jobId()))) {
                    throw new IllegalStateException("the soak job stopped: " + cluster.jobState(submission.jobId())
                            + " " + cluster.rootException(submission.jobId()));
                }
                samples.add(new Sample(
                        (System.nanoTime() - started) / 1e9,
                        tm.status("VmRSS"),
                        tm.status("Threads"),
                        nmtCommittedKb(tm.pid())));
                Thread.sleep(interval / 1_000_000);
            }
            cluster.cancel(submission.jobId());
        }
        writeCsv(dir.resolve("samples.csv"), samples);
        // Growth over the last 80%: from the first sample of that window to the largest after it.
        int from = (int) (samples.size() * 0.2);
        long base = samples.get(from).rssKb();
        long peak = samples.subList(from, samples.size()).stream()
                .mapToLong(Sample::rssKb)
                .max()
                .orElse(base);
        double growth = (peak - base) / (double) base;
        long threadsMin = samples.stream().mapToLong(Sample::threads).min().orElse(0);
        long threadsMax = samples.stream().mapToLong(Sample::threads).max().orElse(0);
        Sample first = samples.get(0);
        Sample last = samples.get(samples.size() - 1);
        report.append(String.format(
                Locale.ROOT,
                "soak: %s for %.1f min at %.1f events/s (half the measured maximum)%n",
                "TaskManager",
                duration.toSeconds() / 60.0,
                rate));
        report.append(String.format(
                Locale.ROOT,
                "RSS: %d MB at start, %d MB at 20%%, peak %d MB after, %d MB at the end: growth %.2f%% over"
                        + " the last 80%% (limit 5%%)%n",
                first.rssKb() / 1024,
                base / 1024,
                peak / 1024,
                last.rssKb() / 1024,
                100 * growth));
        report.append(String.format(
                Locale.ROOT,
                "threads: %d..%d; JVM native memory committed (NMT): %d MB at start, %d MB at the end%n",
                threadsMin,
                threadsMax,
                first.nmtCommittedKb() / 1024,
                last.nmtCommittedKb() / 1024));
        report.append(String.format(Locale.ROOT, "%d samples in %s%n", samples.size(), dir.resolve("samples.csv")));
        Result result = new Result(rate, samples, growth, threadsMin, threadsMax, report.toString());
        Files.writeString(dir.resolve("report.txt"), result.report());
        return result;
    }

    private static long nmtCommittedKb(long pid) {
        try {
            Process p = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "jcmd")
                                    .toString(),
                            String.valueOf(pid),
                            "VM.native_memory",
                            "summary")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            Matcher m = NMT_TOTAL.matcher(out);
            return m.find() ? Long.parseLong(m.group(2)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The job's events/s on an embedded cluster at parallelism 2, measured in a JVM of its own. */
    static double measureMaxRate(Path dir, Path job, Path texts) throws Exception {
        Path events = BenchEvents.write(BenchEvents.texts(List.of(texts)), 1500, dir.resolve("max-rate.jsonl"));
        JsonNode result = ScenarioProcess.run(
                        Scenario.class.getName(),
                        List.of(
                                "job",
                                "job=" + job,
                                "bundle=" + resolveBundle(job),
                                "events=" + events,
                                "parallelism=2",
                                "shapes=verified"))
                .result();
        return result.get("events_per_second").asDouble();
    }

    private static Path resolveBundle(Path job) {
        return io.torchstream.jobs.CommandLine.parse(new String[] {job.toString()})
                .config()
                .bundle;
    }

    private static void writeCsv(Path file, List<Sample> samples) throws IOException {
        StringBuilder csv = new StringBuilder("seconds,rss_kb,threads,nmt_committed_kb\n");
        samples.forEach(s -> csv.append(String.format(
                Locale.ROOT, "%.1f,%d,%d,%d%n", s.seconds(), s.rssKb(), s.threads(), s.nmtCommittedKb())));
        Files.writeString(file, csv);
    }
}
