package io.torchstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.torchstream.bundle.ModelBundle;
import io.torchstream.bundle.TraceShape;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bin/torchstream bench}: measures, in one run on one bundle and one set of events, the bare
 * forward pass at the traced shape (the ceiling), the job on an embedded MiniCluster at parallelism 1
 * and 2, and DJL's one-predict-per-event pattern; prints a table with ratios. Each measurement runs in
 * a JVM of its own. Nothing here asserts on time: it reports.
 */
public final class Benchmark {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One measured scenario. */
    record Row(String name, double eventsPerSecond, long peakRssMb, String note) {}

    private final Path bundle;
    private final Path job;
    private final Path workDir;
    private final List<Row> rows = new ArrayList<>();

    private Benchmark(Path bundle, Path job, Path workDir) {
        this.bundle = bundle;
        this.job = job;
        this.workDir = workDir;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("--bundle", "models/all-minilm-l6-v2");
        a.put("--job", "jobs/demo.yaml");
        a.put("--events", "2000");
        a.put("--per-event-events", "300");
        a.put("--markdown", "");
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!a.containsKey(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + a.keySet());
            }
            a.put(args[i], args[i + 1]);
        }
        Path work = Files.createTempDirectory("torchstream-bench");
        Benchmark bench = new Benchmark(Path.of(a.get("--bundle")), Path.of(a.get("--job")), work);
        String table = bench.run(Integer.parseInt(a.get("--events")), Integer.parseInt(a.get("--per-event-events")));
        System.out.println(table);
        if (!a.get("--markdown").isEmpty()) {
            Files.writeString(Path.of(a.get("--markdown")), table);
        }
    }

    String run(int events, int perEventEvents) throws Exception {
        TraceShape traced = ModelBundle.open(bundle).manifest().traceShape();
        List<String> texts = BenchEvents.texts(List.of(Path.of("data/headlines-dev.jsonl"), Path.of("data/headlines-test.jsonl"),
                Path.of("jobs/samples/headlines.jsonl")));
        Path headlines = BenchEvents.write(texts, events, workDir.resolve("headlines.jsonl"));
        Path fewHeadlines = BenchEvents.write(texts, perEventEvents, workDir.resolve("headlines-few.jsonl"));
        int cores = Runtime.getRuntime().availableProcessors();

        Row ceiling = measure("bare forward at " + traced + ", " + cores + " threads",
                "threads=" + cores + "; the ceiling for anything padded to the traced shape",
                "forward", "bundle=" + bundle, "events=" + headlines, "shape=" + traced, "threads=" + cores);
        Row job1 = measure("job, parallelism 1, traced shape", "every batch padded to " + traced,
                "job", "job=" + job, "bundle=" + bundle, "events=" + headlines, "parallelism=1", "shapes=traced");
        Row job2 = measure("job, parallelism 2, traced shape", "2 slots x " + Math.max(1, cores / 2) + " threads, one shared model",
                "job", "job=" + job, "bundle=" + bundle, "events=" + headlines, "parallelism=2", "shapes=traced");
        Row perEvent = measure("one predict per event (DJL Predictor, 1x" + traced.seqLen() + ")", "parallelism 1, " + cores + " threads",
                "per-event", "job=" + job, "bundle=" + bundle, "events=" + fewHeadlines);

        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "bundle %s, %d headline events (%d for one-predict-per-event), %d cores%n%n",
                bundle, events, perEventEvents, cores));
        out.append("| scenario | events/s | peak RSS (MB) | notes |\n|---|---:|---:|---|\n");
        for (Row r : rows) {
            out.append(String.format(Locale.ROOT, "| %s | %.1f | %d | %s |%n", r.name(), r.eventsPerSecond(), r.peakRssMb(), r.note()));
        }
        out.append("\n| ratio | value |\n|---|---:|\n");
        ratio(out, "job p=1 / bare forward (same shape)", job1, ceiling);
        ratio(out, "job p=2 / bare forward (same shape)", job2, ceiling);
        ratio(out, "job p=1 / one predict per event", job1, perEvent);
        ratio(out, "job p=2 / one predict per event", job2, perEvent);
        return out.toString();
    }

    private static void ratio(StringBuilder out, String name, Row a, Row b) {
        out.append(String.format(Locale.ROOT, "| %s | %.2f |%n", name, a.eventsPerSecond() / b.eventsPerSecond()));
    }

    /** Runs a scenario in a fresh JVM, sampling its resident memory. */
    Row measure(String name, String note, String... scenario) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(arg -> arg.startsWith("--add-") || arg.startsWith("-Dlog4j")).toList());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Scenario.class.getName());
        command.addAll(List.of(scenario));
        System.err.println("bench: " + name);
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long[] peakKb = {0};
        Thread sampler = new Thread(() -> {
            Path status = Path.of("/proc", String.valueOf(process.pid()), "status");
            while (process.isAlive()) {
                peakKb[0] = Math.max(peakKb[0], rssKb(status));
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        JsonNode result = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.startsWith("RESULT ")) {
                    result = MAPPER.readTree(line.substring("RESULT ".length()));
                }
            }
        }
        int exit = process.waitFor();
        sampler.interrupt();
        if (exit != 0 || result == null) {
            throw new IllegalStateException("scenario '" + name + "' failed with exit code " + exit);
        }
        Row row = new Row(name, result.get("events_per_second").asDouble(), peakKb[0] / 1024, note);
        System.err.printf(Locale.ROOT, "bench: %s: %.1f events/s, peak RSS %d MB%n", name, row.eventsPerSecond(), row.peakRssMb());
        rows.add(row);
        return row;
    }

    private static long rssKb(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // the process ended between two samples
        }
        return 0;
    }
}
