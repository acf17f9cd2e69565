package io.torchstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.torchstream.internal.bundle.BundleManifest;
import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.bundle.TraceShape;
import io.torchstream.internal.session.ModelOptions;

import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Throughput of ML_PREDICT next to the DataStream job, on the same headline events, the same model,
 * labels and parallelism, each run in a JVM of its own (libtorch sets its threads once per process).
 * Both rates count from the first event entering inference to the last result leaving it: the
 * DataStream job through its accumulators, the query through {@code CURRENT_TIMESTAMP} before and
 * after ML_PREDICT. Model loading and job start-up are outside both. It reports; it asserts nothing.
 *
 * <pre>
 * SqlBenchmark [--events 2000] [--parallelism 2] [--max-concurrent 10,16] [--rounds 3] [--batch-max-size 0]
 *              [--output-mode ORDERED,ALLOW_UNORDERED]
 *              [--bundle models/all-minilm-l6-v2] [--labels-file jobs/labels/news-topics.yaml] [--job jobs/demo.yaml]
 * </pre>
 */
public final class SqlBenchmark {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SqlBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("query")) {
            Map<String, String> a = new HashMap<>();
            for (int i = 1; i < args.length; i++) {
                int eq = args[i].indexOf('=');
                a.put(args[i].substring(0, eq), args[i].substring(eq + 1));
            }
            System.out.println("RESULT " + MAPPER.writeValueAsString(query(a)));
            System.exit(0);
        }
        Map<String, String> a = new LinkedHashMap<>();
        a.put("--events", "2000");
        a.put("--parallelism", "2");
        a.put("--max-concurrent", "10,16");
        a.put("--bundle", "models/all-minilm-l6-v2");
        a.put("--labels-file", "jobs/labels/news-topics.yaml");
        a.put("--job", "jobs/demo.yaml");
        a.put("--rounds", "3");
        a.put("--batch-max-size", "0");
        a.put("--output-mode", "ORDERED");
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!a.containsKey(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + a.keySet());
            }
            a.put(args[i], args[i + 1]);
        }
        int events = Integer.parseInt(a.get("--events"));
        int parallelism = Integer.parseInt(a.get("--parallelism"));
        Path work = Files.createTempDirectory("torchstream-sql-bench");
        List<String> texts = BenchEvents.texts(List.of(
                Path.of("data/headlines-dev.jsonl"),
                Path.of("data/headlines-test.jsonl"),
                Path.of("jobs/samples/headlines.jsonl")));
        Path all = BenchEvents.write(texts, events, 0, 1, work.resolve("events.jsonl"));
        Path dir = Files.createDirectories(work.resolve("events"));
        for (int p = 0; p < parallelism; p++) {
            // One file per parallel instance: the filesystem source reads a file per split.
            BenchEvents.write(texts, events, p, parallelism, dir.resolve("part-" + p + ".jsonl"));
        }
        Path bundle = Path.of(a.get("--bundle")).toAbsolutePath();
        Path labels = Path.of(a.get("--labels-file")).toAbsolutePath();

        int rounds = Integer.parseInt(a.get("--rounds"));
        Map<String, List<JsonNode>> results = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            // Interleaved rounds: whatever else loads the machine weighs on every pipeline alike.
            System.err.println("sql bench: round " + round + " of " + rounds);
            results.computeIfAbsent(
                            "DataStream job (" + a.get("--job") + ", batch.max-wait 20ms)", k -> new ArrayList<>())
                    .add(measure(
                            "io.torchstream.bench.Scenario",
                            "job",
                            "job=" + a.get("--job"),
                            "bundle=" + bundle,
                            "events=" + all,
                            "parallelism=" + parallelism,
                            "shapes=verified"));
            for (String capacity : a.get("--max-concurrent").split(","))
                for (String mode : a.get("--output-mode").split(",")) {
                    JsonNode sql = measure(
                            SqlBenchmark.class.getName(),
                            "query",
                            "bundle=" + bundle,
                            "labels=" + labels,
                            "events=" + dir,
                            "parallelism=" + parallelism,
                            "max-concurrent=" + capacity.trim(),
                            "batch-max-size=" + a.get("--batch-max-size"),
                            "output-mode=" + mode.trim());
                    results.computeIfAbsent(
                                    "SQL ML_PREDICT, max-concurrent-operations " + capacity.trim() + " (batches of "
                                            + sql.get("batch").asInt() + "), " + mode.trim(),
                                    k -> new ArrayList<>())
                            .add(sql);
                }
        }
        StringBuilder table = new StringBuilder();
        table.append(String.format(
                Locale.ROOT,
                "bundle %s, %d headline events, parallelism %d, %d cores, %d interleaved rounds%n%n",
                a.get("--bundle"),
                events,
                parallelism,
                Runtime.getRuntime().availableProcessors(),
                rounds));
        table.append(
                "| pipeline | events/s, median (first event to last result) | min | max | process wall s, median |\n"
                        + "|---|---:|---:|---:|---:|\n");
        results.forEach((name, runs) -> {
            double[] rates = runs.stream()
                    .mapToDouble(r -> r.get("events_per_second").asDouble())
                    .sorted()
                    .toArray();
            double[] walls = runs.stream()
                    .mapToDouble(r -> r.get("wall_seconds").asDouble())
                    .sorted()
                    .toArray();
            table.append(String.format(
                    Locale.ROOT,
                    "| %s | %.1f | %.1f | %.1f | %.1f |%n",
                    name,
                    median(rates),
                    rates[0],
                    rates[rates.length - 1],
                    median(walls)));
        });
        System.out.println(table);
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The query scenario, in its own JVM. */
    static ObjectNode query(Map<String, String> a) throws Exception {
        int capacity = Integer.parseInt(a.get("max-concurrent"));
        int batchMaxSize = Integer.parseInt(a.getOrDefault("batch-max-size", "0"));
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", a.get("parallelism"));
        env.getConfig().set("table.exec.async-ml-predict.max-concurrent-operations", String.valueOf(capacity));
        env.executeSql("CREATE TABLE events (id STRING, text STRING) WITH ('connector' = 'filesystem', 'path' = "
                + literal(a.get("events")) + ", 'format' = 'json')");
        env.executeSql("CREATE VIEW timed AS SELECT id, text, CURRENT_TIMESTAMP AS t_in FROM events");
        env.executeSql(
                "CREATE MODEL topics INPUT (text STRING) OUTPUT (label STRING, score DOUBLE) WITH ('provider' = 'torchscript',"
                        + " 'bundle' = " + literal(a.get("bundle")) + ", 'labels-file' = " + literal(a.get("labels"))
                        + ", 'batch.max-wait' = '20ms',"
                        + " 'batch.max-size' = '" + batchMaxSize + "')");
        long n = 0;
        Set<Instant> distinct = new HashSet<>();
        Instant first = null;
        Instant last = null;
        CloseableIterator<Row> rows = env.executeSql("SELECT id, label, t_in, CURRENT_TIMESTAMP AS t_out"
                        + " FROM ML_PREDICT(TABLE timed, MODEL topics, DESCRIPTOR(text), MAP['output-mode', "
                        + literal(a.getOrDefault("output-mode", "ORDERED")) + "])")
                .collect();
        try {
            while (rows.hasNext()) {
                Row row = rows.next();
                Instant in = (Instant) row.getField("t_in");
                Instant out = (Instant) row.getField("t_out");
                distinct.add(in);
                first = first == null || in.isBefore(first) ? in : first;
                last = last == null || out.isAfter(last) ? out : last;
                n++;
            }
        } finally {
            rows.close();
        }
        double seconds = (last.toEpochMilli() - first.toEpochMilli()) / 1e3;
        ObjectNode r = MAPPER.createObjectNode();
        r.put("events_per_second", n / seconds);
        r.put("events", n);
        r.put("distinct_t_in", distinct.size());
        r.put("seconds", seconds);
        List<Integer> batches =
                BundleManifest.read(Path.of(a.get("bundle"), ModelBundle.MANIFEST_FILE)).shapes().stream()
                        .map(TraceShape::batch)
                        .distinct()
                        .sorted()
                        .toList();
        r.put("batch", batchMaxSize > 0 ? batchMaxSize : ModelOptions.inFlightBatchSize(batches, capacity));
        return r;
    }

    /** Runs a scenario's main in a fresh JVM; its last {@code RESULT} line, with the process's wall time added. */
    private static JsonNode measure(String main, String... args) throws Exception {
        System.err.println("sql bench: " + main + " " + String.join(" ", args));
        ScenarioProcess.Outcome outcome = ScenarioProcess.run(main, List.of(args));
        ((ObjectNode) outcome.result()).put("wall_seconds", outcome.wallSeconds());
        System.err.println("sql bench: " + outcome.result());
        return outcome.result();
    }

    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
