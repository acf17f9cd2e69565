package io.torchstream.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bin/torchstream pii-bench}: jobs/pii.yaml on the labelled PII messages (data/pii/messages.jsonl,
 * cycled) next to transformers' token-classification pipeline on the same weights, threads and batch, in
 * one run (each in a process of its own). Writes its section of BENCHMARKS.md, between markers that the
 * main benchmark keeps.
 */
public final class PiiBenchmark {

    static final String BEGIN = "<!-- pii-bench: begin -->";
    static final String END = "<!-- pii-bench: end -->";

    private record Row(String name, double eventsPerSecond, long peakRssMb, String note) {}

    private PiiBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("--events", "2000");
        a.put("--out", "BENCHMARKS.md");
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!a.containsKey(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + a.keySet());
            }
            a.put(args[i], args[i + 1]);
        }
        int events = Integer.parseInt(a.get("--events"));
        int cores = Runtime.getRuntime().availableProcessors();
        Path work = Files.createTempDirectory("torchstream-pii-bench");
        List<String> texts = BenchEvents.texts(List.of(Path.of("data/pii/messages.jsonl")));
        Path file = BenchEvents.write(texts, events, work.resolve("pii.jsonl"));
        String bundle = "models/pii-rampart";

        List<Row> rows = new ArrayList<>();
        rows.add(job(
                "jobs/pii.yaml, parallelism 1",
                cores + " libtorch threads; model, patterns, redaction",
                "job",
                "job=jobs/pii.yaml",
                "bundle=" + bundle,
                "events=" + file,
                "parallelism=1",
                "shapes=verified",
                "model.threads=" + cores));
        rows.add(job(
                "jobs/pii.yaml, parallelism 2",
                "1 libtorch thread a slot; model, patterns, redaction",
                "job",
                "job=jobs/pii.yaml",
                "bundle=" + bundle,
                "events=" + file,
                "parallelism=2",
                "shapes=verified"));
        rows.add(job(
                "jobs/tag.yaml, parallelism 1 (model only)",
                cores + " libtorch threads; the same model and aggregation, no patterns or redaction",
                "job",
                "job=jobs/tag.yaml",
                "bundle=" + bundle,
                "events=" + file,
                "parallelism=1",
                "shapes=verified",
                "model.threads=" + cores));
        Row python = python(file, cores);

        StringBuilder out = new StringBuilder();
        out.append(BEGIN).append("\n## PII redaction: jobs/pii.yaml against transformers' pipeline\n\n");
        out.append(String.format(
                Locale.ROOT,
                "Measured %s on this machine (%d cores) with `bin/torchstream pii-bench --events %d`: the %d messages of"
                        + " `data/pii/messages.jsonl` (%d languages, chat lines to e-mails with signatures) cycled into"
                        + " %d events, bundle `%s` (8x128, shorter lengths verified), aggregation simple, forward"
                        + " batches of at most 8 on both sides. Each row runs in a process of its own, one after the"
                        + " other.\n\n",
                java.time.LocalDate.now(),
                cores,
                events,
                texts.size(),
                languages(Path.of("data/pii/messages.jsonl")),
                events,
                bundle));
        out.append("| pipeline | events/s | peak RSS (MB) | notes |\n|---|---:|---:|---|\n");
        for (Row r : rows) {
            out.append(String.format(
                    Locale.ROOT, "| %s | %.1f | %d | %s |\n", r.name(), r.eventsPerSecond(), r.peakRssMb(), r.note()));
        }
        if (python != null) {
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %.1f | %d | %s |\n",
                    python.name(),
                    python.eventsPerSecond(),
                    python.peakRssMb(),
                    python.note()));
            out.append(String.format(
                    Locale.ROOT,
                    "\njobs/pii.yaml (parallelism 1) / the pipeline: %.2f; jobs/tag.yaml (parallelism 1, the same"
                            + " work as the pipeline) / the pipeline: %.2f.\n",
                    rows.get(0).eventsPerSecond() / python.eventsPerSecond(),
                    rows.get(2).eventsPerSecond() / python.eventsPerSecond()));
        }
        out.append(END).append('\n');
        String section = out.toString();
        System.out.println(section);
        Path target = Path.of(a.get("--out"));
        Files.writeString(target, withSection(Files.exists(target) ? Files.readString(target) : "", section));
        System.err.println("pii-bench: wrote its section of " + target);
    }

    /** {@code document} with its PII section replaced by {@code section}, or {@code section} appended. */
    static String withSection(String document, String section) {
        int begin = document.indexOf(BEGIN);
        int end = document.indexOf(END);
        if (begin >= 0 && end > begin) {
            return document.substring(0, begin) + section + document.substring(end + END.length() + 1);
        }
        return document + (document.isEmpty() || document.endsWith("\n\n") ? "" : "\n") + section;
    }

    /** The section of {@code document} this benchmark wrote, with its markers, or "" when none. */
    static String section(String document) {
        int begin = document.indexOf(BEGIN);
        int end = document.indexOf(END);
        return begin >= 0 && end > begin ? document.substring(begin, end + END.length() + 1) : "";
    }

    private static long languages(Path file) throws java.io.IOException {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        java.util.Set<String> langs = new java.util.TreeSet<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                langs.add(mapper.readTree(line).get("lang").asText());
            }
        }
        return langs.size();
    }

    private static Row job(String name, String note, String... scenario) throws Exception {
        System.err.println("pii-bench: " + name);
        ScenarioProcess.Outcome outcome = ScenarioProcess.run(Scenario.class.getName(), List.of(scenario));
        JsonNode r = outcome.result();
        if (!r.get("balanced").asBoolean()) {
            throw new IllegalStateException(name + ": events in and results out differ: " + r);
        }
        Row row = new Row(name, r.get("events_per_second").asDouble(), outcome.peakRssKb() / 1024, note);
        System.err.printf(Locale.ROOT, "pii-bench: %s: %.1f events/s%n", name, row.eventsPerSecond());
        return row;
    }

    private static Row python(Path file, int cores) throws Exception {
        String python = System.getenv("TORCHSTREAM_PYTHON");
        if (python == null || python.isEmpty()) {
            System.err.println("pii-bench: no exporter environment (bin/torchstream venv): skipping the pipeline");
            return null;
        }
        System.err.println("pii-bench: transformers' pipeline");
        ProcessBuilder builder = new ProcessBuilder(
                python,
                "bench/pii_baseline.py",
                "--texts",
                file.toString(),
                "--threads",
                String.valueOf(cores),
                "--batch",
                "8");
        builder.environment()
                .merge(
                        "PYTHONPATH",
                        Path.of("export").toAbsolutePath().toString(),
                        (old, add) -> add + java.io.File.pathSeparator + old);
        ScenarioProcess.Outcome outcome = ScenarioProcess.run(builder, "the pipeline");
        JsonNode r = outcome.result();
        return new Row(
                "transformers' token-classification pipeline, batch 8",
                r.get("events_per_second").asDouble(),
                outcome.peakRssKb() / 1024,
                "torch " + r.get("torch").asText() + ", " + cores + " threads, eager; tags only");
    }
}
