package io.torchstream.bench;

import com.fasterxml.jackson.databind.JsonNode;

import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.bundle.TraceShape;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code bin/torchstream bench}: measures, in one run on one bundle, on headline-length and
 * paragraph-length texts: the bare forward pass at every verified shape (the ceiling), the job on an
 * embedded MiniCluster at parallelism 1 and 2, length-aware against padding to the traced shape, DJL's
 * one-predict-per-event pattern, Python transformers on the same model (when the exporter's venv is
 * there), latency at half the maximum rate, and peak RSS with one shared model against one per slot.
 * Every measurement runs in a JVM (or Python) of its own. Writes BENCHMARKS.md and bench/throughput.png.
 * Nothing here asserts on time: it reports.
 */
public final class Benchmark {

    /** One measured scenario. */
    record Row(String mix, String name, double eventsPerSecond, long peakRssMb, String note, JsonNode result) {}

    private final Path bundle;
    private final Path job;
    private final Path workDir;
    private final int cores = Runtime.getRuntime().availableProcessors();
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
        a.put("--events", "4000");
        a.put("--out", "BENCHMARKS.md");
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!a.containsKey(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + a.keySet());
            }
            a.put(args[i], args[i + 1]);
        }
        Path work = Files.createTempDirectory("torchstream-bench");
        Benchmark bench = new Benchmark(Path.of(a.get("--bundle")), Path.of(a.get("--job")), work);
        String report = bench.run(Integer.parseInt(a.get("--events")));
        System.out.println(report);
        Path out = Path.of(a.get("--out"));
        // pii-bench's section is its own run's: kept as it is.
        String pii = Files.exists(out) ? PiiBenchmark.section(Files.readString(out)) : "";
        Files.writeString(out, pii.isEmpty() ? report : report + (report.endsWith("\n") ? "\n" : "\n\n") + pii);
        Path png = Path.of("bench/throughput.png");
        Files.createDirectories(png.getParent());
        Plot.throughput(bench.rows, png);
        System.err.println("bench: wrote " + out + " and " + png);
    }

    /**
     * The CPU's model and the vector extensions libtorch's and ONNX Runtime's kernels pick from: int8 and fp32
     * speeds, and their ratio, move with them (VNNI and AMX run int8 matrix products natively).
     */
    static String cpu() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            String model = lines.stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown CPU");
            Set<String> flags = lines.stream()
                    .filter(l -> l.startsWith("flags"))
                    .findFirst()
                    .map(l -> Set.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+")))
                    .orElse(Set.of());
            List<String> simd = new ArrayList<>();
            for (String[] f : new String[][] {
                {"avx2", "AVX2"},
                {"avx512f", "AVX-512"},
                {"avx512_vnni", "AVX-512 VNNI"},
                {"avx_vnni", "AVX-VNNI"},
                {"amx_int8", "AMX int8"}
            }) {
                if (flags.contains(f[0])) {
                    simd.add(f[1]);
                }
            }
            return model + (simd.isEmpty() ? "" : ", " + String.join(", ", simd));
        } catch (IOException | UncheckedIOException e) {
            return "CPU unknown";
        }
    }

    String run(int events) throws Exception {
        TraceShape traced = ModelBundle.open(bundle).manifest().traceShape();
        List<String> headlines = BenchEvents.texts(List.of(
                Path.of("data/headlines-dev.jsonl"),
                Path.of("data/headlines-test.jsonl"),
                Path.of("jobs/samples/headlines.jsonl")));
        Map<String, List<String>> mixes = new LinkedHashMap<>();
        mixes.put("headlines", headlines);
        mixes.put("paragraphs", BenchEvents.paragraphs(headlines));

        Map<String, Map<String, Row>> byMix = new LinkedHashMap<>();
        Path onnx = onnxModels();
        for (Map.Entry<String, List<String>> mix : mixes.entrySet()) {
            String m = mix.getKey();
            int n = m.equals("headlines") ? events : events / 4;
            Path texts = BenchEvents.write(mix.getValue(), n, workDir.resolve(m + ".jsonl"));
            Path fewer = BenchEvents.write(mix.getValue(), Math.max(100, n / 8), workDir.resolve(m + "-fewer.jsonl"));
            Map<String, Row> r = new LinkedHashMap<>();
            r.put(
                    "forward",
                    measure(
                            m,
                            "bare forward, every verified shape",
                            cores + " threads; the table below",
                            "forward",
                            "bundle=" + bundle,
                            "events=" + texts,
                            "shape=all",
                            "threads=" + cores,
                            "millis=1500"));
            r.put(
                    "job1",
                    measure(
                            m,
                            "job p=1, length-aware",
                            cores + " threads, batches grouped by length",
                            "job",
                            "job=" + job,
                            "bundle=" + bundle,
                            "events=" + texts,
                            "parallelism=1",
                            "shapes=verified"));
            r.put(
                    "job2",
                    measure(
                            m,
                            "job p=2, length-aware, shared model",
                            "2 slots x " + Math.max(1, cores / 2) + " threads",
                            "job",
                            "job=" + job,
                            "bundle=" + bundle,
                            "events=" + texts,
                            "parallelism=2",
                            "shapes=verified"));
            if (m.equals("headlines")) {
                r.put(
                        "typed2",
                        measure(
                                m,
                                "typed API p=2, length-aware, shared model",
                                "Torchstream.classify on POJOs, no JSON",
                                "typed",
                                "job=" + job,
                                "bundle=" + bundle,
                                "events=" + texts,
                                "parallelism=2"));
            }
            r.put(
                    "fixed1",
                    measure(
                            m,
                            "job p=1, fixed " + traced + " shape",
                            "every batch padded to the traced shape",
                            "job",
                            "job=" + job,
                            "bundle=" + bundle,
                            "events=" + fewer,
                            "parallelism=1",
                            "shapes=traced"));
            r.put(
                    "perEvent",
                    measure(
                            m,
                            "one predict per event (DJL, 1x" + traced.seqLen() + ")",
                            "parallelism 1, " + cores + " threads",
                            "per-event",
                            "job=" + job,
                            "bundle=" + bundle,
                            "events=" + fewer));
            r.put(
                    "int8job1",
                    measure(
                            m,
                            "int8 job p=1, length-aware",
                            "`" + INT8 + "`, " + cores + " threads",
                            "job",
                            "job=" + job,
                            "bundle=" + INT8,
                            "events=" + texts,
                            "parallelism=1",
                            "shapes=verified"));
            r.put(
                    "int8job2",
                    measure(
                            m,
                            "int8 job p=2, length-aware, shared model",
                            "`" + INT8 + "`, 2 slots x " + Math.max(1, cores / 2) + " threads",
                            "job",
                            "job=" + job,
                            "bundle=" + INT8,
                            "events=" + texts,
                            "parallelism=2",
                            "shapes=verified"));
            Row python = python(m, texts);
            if (python != null) {
                r.put("python", python);
            }
            Row st = sentenceTransformers(m, texts);
            if (st != null) {
                r.put("st", st);
            }
            if (onnx != null) {
                for (String variant : List.of("fp32", "int8")) {
                    r.put(
                            "ort-" + variant,
                            measure(
                                    m,
                                    "ONNX Runtime Java " + variant,
                                    "the same model as ONNX ("
                                            + (variant.equals("fp32")
                                                    ? "torch.onnx.export"
                                                    : "onnxruntime dynamic int8, per-channel")
                                            + "), " + cores
                                            + " threads, batches of 8 grouped by length from 32 events",
                                    "ort",
                                    "bundle=" + bundle,
                                    "onnx=" + onnx.resolve(variant.equals("fp32") ? "model.onnx" : "model-int8.onnx"),
                                    "events=" + texts,
                                    "threads=" + cores));
                }
            }
            byMix.put(m, r);
        }
        Path headlineEvents = workDir.resolve("headlines.jsonl");
        Map<String, Row> h = byMix.get("headlines");
        Row perSlot = measure(
                "headlines",
                "job p=2, length-aware, a model per slot",
                "RSS against the shared model",
                "job",
                "job=" + job,
                "bundle=" + bundle,
                "events=" + headlineEvents,
                "parallelism=2",
                "shapes=verified",
                "model.sharing=per-slot");
        double half1 = h.get("job1").eventsPerSecond() / 2;
        Row latency = measure(
                "headlines",
                String.format(Locale.ROOT, "latency at %.0f events/s (half of p=1's maximum)", half1),
                "generator, p=1",
                "latency",
                "job=" + job,
                "bundle=" + bundle,
                "events=" + headlineEvents,
                "parallelism=1",
                "rate=" + half1,
                "seconds=40");
        double half2 = h.get("job2").eventsPerSecond() / 2;
        Row latency2 = measure(
                "headlines",
                String.format(Locale.ROOT, "latency at %.0f events/s (half of p=2's maximum)", half2),
                "generator, p=2",
                "latency",
                "job=" + job,
                "bundle=" + bundle,
                "events=" + headlineEvents,
                "parallelism=2",
                "rate=" + half2,
                "seconds=40");
        load = measure(
                "headlines",
                "model load and warm-up, default settings",
                "TextModel.open at every verified shape, " + cores + " threads",
                "load",
                "bundle=" + bundle,
                "threads=" + cores);
        // A time, not a throughput: kept out of the plot.
        rows.remove(load);
        return report(events, traced, byMix, perSlot, latency, latency2);
    }

    private String report(
            int events,
            TraceShape traced,
            Map<String, Map<String, Row>> byMix,
            Row perSlot,
            Row latency,
            Row latency2) {
        StringBuilder out = new StringBuilder();
        out.append("# Benchmarks\n\n");
        out.append(String.format(
                Locale.ROOT,
                "Measured %s on this machine (%d cores, %s) with `bin/torchstream bench --events %d`: bundle `%s`"
                        + " (all-MiniLM-L6-v2, traced at %s, %d verified shapes), job `%s`. Every scenario ran in a JVM of its own;"
                        + " the machine is shared and noisy, so compare ratios within one run rather than absolute figures across runs."
                        + " Headlines: the %d labelled headlines of `data/` and `jobs/samples/` (9-30 tokens); paragraphs: 4 to 7 of"
                        + " them joined (70-128 tokens).%n%n",
                LocalDate.now(),
                cores,
                cpu(),
                events,
                bundle,
                traced,
                ModelBundle.open(bundle).manifest().shapes().size(),
                job,
                240));
        out.append("![throughput](bench/throughput.png)\n\n");
        for (Map.Entry<String, Map<String, Row>> mix : byMix.entrySet()) {
            out.append("## ")
                    .append(mix.getKey())
                    .append(
                            "\n\n| scenario | events/s | padding | peak RSS (MB) | notes |\n|---|---:|---:|---:|---|\n");
            for (Row r : mix.getValue().values()) {
                String padding = r.result().has("padding_ratio")
                        ? String.format(
                                Locale.ROOT,
                                "%.0f%%",
                                100 * r.result().get("padding_ratio").asDouble())
                        : "";
                String eps = r.name().startsWith("bare forward")
                        ? ""
                        : String.format(Locale.ROOT, "%.1f", r.eventsPerSecond());
                out.append(String.format(
                        Locale.ROOT, "| %s | %s | %s | %d | %s |%n", r.name(), eps, padding, r.peakRssMb(), r.note()));
            }
            out.append(
                    "\nBare forward pass (events/s, ms per batch) at each verified shape:\n\n| shape | events/s | ms/batch |\n|---|---:|---:|\n");
            for (Iterator<Map.Entry<String, JsonNode>> it =
                            mix.getValue().get("forward").result().get("shapes").fields();
                    it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.append(String.format(
                        Locale.ROOT,
                        "| %s | %.1f | %.1f |%n",
                        e.getKey(),
                        e.getValue().get("events_per_second").asDouble(),
                        e.getValue().get("ms_per_batch").asDouble()));
            }
            out.append('\n');
        }
        Map<String, Row> h = byMix.get("headlines");
        Map<String, Row> p = byMix.get("paragraphs");
        double ceilingTraced = h.get("forward")
                .result()
                .get("shapes")
                .get(traced.toString())
                .get("events_per_second")
                .asDouble();
        double forward832 = h.get("forward")
                .result()
                .get("shapes")
                .path("8x32")
                .path("ms_per_batch")
                .asDouble(Double.NaN);
        out.append("## Targets\n\n| ratio | target | measured | |\n|---|---:|---:|---|\n");
        target(
                out,
                "job (p=1, fixed " + traced + ") / bare forward at " + traced,
                0.90,
                h.get("fixed1").eventsPerSecond() / ceilingTraced);
        target(
                out,
                "length-aware / fixed " + traced + ", headlines (p=1)",
                3.0,
                h.get("job1").eventsPerSecond() / h.get("fixed1").eventsPerSecond());
        target(
                out,
                "length-aware / fixed " + traced + ", paragraphs (p=1)",
                1.0,
                p.get("job1").eventsPerSecond() / p.get("fixed1").eventsPerSecond());
        target(
                out,
                "job (p=1) / one predict per event, headlines",
                4.0,
                h.get("job1").eventsPerSecond() / h.get("perEvent").eventsPerSecond());
        target(
                out,
                "job (p=2) / one predict per event, headlines",
                4.0,
                h.get("job2").eventsPerSecond() / h.get("perEvent").eventsPerSecond());
        if (h.containsKey("python")) {
            target(
                    out,
                    "job (p=1) / Python transformers, headlines",
                    1.0,
                    h.get("job1").eventsPerSecond() / h.get("python").eventsPerSecond());
            target(
                    out,
                    "job (p=1) / Python transformers, paragraphs",
                    1.0,
                    p.get("job1").eventsPerSecond() / p.get("python").eventsPerSecond());
        }
        target(
                out,
                "int8 job (p=1) / fp32 job (p=1), headlines",
                1.8,
                h.get("int8job1").eventsPerSecond() / h.get("job1").eventsPerSecond());
        target(
                out,
                "int8 job (p=2) / fp32 job (p=2), headlines",
                1.8,
                h.get("int8job2").eventsPerSecond() / h.get("job2").eventsPerSecond());
        for (Map.Entry<String, Map<String, Row>> mix : byMix.entrySet()) {
            Map<String, Row> r = mix.getValue();
            Row best = java.util.stream.Stream.of("job1", "job2", "int8job1", "int8job2")
                    .map(r::get)
                    .max(java.util.Comparator.comparingDouble(Row::eventsPerSecond))
                    .orElseThrow();
            for (String peer : List.of("ort-fp32", "ort-int8", "st")) {
                if (r.containsKey(peer)) {
                    String name = "best torchstream (" + best.name() + ") / "
                            + r.get(peer).name() + ", " + mix.getKey();
                    double ratio = best.eventsPerSecond() / r.get(peer).eventsPerSecond();
                    if (peer.equals("ort-int8")) {
                        out.append(String.format(Locale.ROOT, "| %s, for information | | %.2f | |%n", name, ratio));
                    } else {
                        target(out, name, 1.0, ratio);
                    }
                }
            }
        }
        target(
                out,
                "default model load + warm-up (s)",
                -5.0,
                load.result().get("load_millis").asDouble() / 1000);
        double p99 = latency.result().get("p99_ms").asDouble();
        double bound = latency.result().get("max_wait_ms").asDouble() + 2 * forward832;
        out.append(String.format(
                Locale.ROOT,
                "| p99 latency at half load, p=1 (ms) <= max-wait + 2 x forward(8x32) = %.0f ms | <= %.0f | %.0f (p50 %.0f) | %s |%n",
                bound,
                bound,
                p99,
                latency.result().get("p50_ms").asDouble(),
                p99 <= bound ? "met" : "missed"));
        out.append(String.format(
                Locale.ROOT,
                "| p99 latency at half load, p=2 (ms), for information | | %.0f (p50 %.0f) | |%n",
                latency2.result().get("p99_ms").asDouble(),
                latency2.result().get("p50_ms").asDouble()));
        long oneSlot = h.get("job1").peakRssMb();
        long shared = h.get("job2").peakRssMb();
        target(
                out,
                String.format(
                        Locale.ROOT,
                        "RSS, 2 slots sharing one model (%d MB) / 1 slot (%d MB); a model per slot: %d MB",
                        shared,
                        oneSlot,
                        perSlot.peakRssMb()),
                -1.3,
                shared / (double) oneSlot);
        return out.toString();
    }

    /** A ratio against its target; a negative target is an upper bound. */
    private static void target(StringBuilder out, String name, double target, double value) {
        boolean met = target >= 0 ? value >= target : value <= -target;
        out.append(String.format(
                Locale.ROOT,
                "| %s | %s %.2f | %.2f | %s |%n",
                name,
                target >= 0 ? ">=" : "<=",
                Math.abs(target),
                value,
                met ? "met" : "missed"));
    }

    private Row load;

    /** The int8 variant of the default model, measured beside it. */
    static final Path INT8 = Path.of("models/all-minilm-l6-v2-int8");

    /** sentence-transformers' encode (batch 32, sorted by length), when the exporter's environment exists. */
    private Row sentenceTransformers(String mix, Path texts) throws Exception {
        return pythonBaseline(
                mix, texts, "bench/st_baseline.py", 32, "sentence-transformers encode, batch 32", "; sorts by length");
    }

    /** The default model as ONNX (fp32 and int8), exported once by bench/onnx_export.py; null without Python. */
    private Path onnxModels() throws Exception {
        String python = System.getenv("TORCHSTREAM_PYTHON");
        if (python == null || python.isEmpty()) {
            System.err.println("bench: no exporter environment: skipping the ONNX Runtime peers");
            return null;
        }
        Process export = new ProcessBuilder(python, "bench/onnx_export.py")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String folder =
                new String(export.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        if (export.waitFor() != 0) {
            throw new IllegalStateException("bench/onnx_export.py failed");
        }
        String[] lines = folder.split("\n");
        return Path.of(lines[lines.length - 1]);
    }

    /** transformers in Python, same model, threads and batch, when the exporter's environment exists. */
    private Row python(String mix, Path texts) throws Exception {
        return pythonBaseline(
                mix,
                texts,
                "bench/python_baseline.py",
                8,
                "Python transformers, batch 8 padded to its longest",
                ", eager");
    }

    /** A Python peer on the same events and threads, in its own process; null without the exporter's venv. */
    private Row pythonBaseline(String mix, Path texts, String script, int batch, String name, String note)
            throws Exception {
        String python = System.getenv("TORCHSTREAM_PYTHON");
        if (python == null || python.isEmpty()) {
            System.err.println("bench: no exporter environment (bin/torchstream venv): skipping " + name);
            return null;
        }
        System.err.println("bench: [" + mix + "] " + name);
        ScenarioProcess.Outcome outcome = ScenarioProcess.run(
                new ProcessBuilder(
                        python,
                        script,
                        "--texts",
                        texts.toString(),
                        "--threads",
                        String.valueOf(cores),
                        "--batch",
                        String.valueOf(batch)),
                script);
        JsonNode result = outcome.result();
        Row row = new Row(
                mix,
                name,
                result.get("events_per_second").asDouble(),
                outcome.peakRssKb() / 1024,
                "torch " + result.get("torch").asText() + ", " + cores + " threads" + note,
                result);
        rows.add(row);
        return row;
    }

    /** Runs a scenario in a fresh JVM, sampling its resident memory. */
    Row measure(String mix, String name, String note, String... scenario) throws Exception {
        System.err.println("bench: [" + mix + "] " + name);
        ScenarioProcess.Outcome outcome = ScenarioProcess.run(Scenario.class.getName(), List.of(scenario));
        Row row = new Row(
                mix,
                name,
                outcome.result().get("events_per_second").asDouble(),
                outcome.peakRssKb() / 1024,
                note,
                outcome.result());
        System.err.printf(
                Locale.ROOT,
                "bench: [%s] %s: %.1f events/s, peak RSS %d MB%n",
                mix,
                name,
                row.eventsPerSecond(),
                row.peakRssMb());
        rows.add(row);
        return row;
    }
}
