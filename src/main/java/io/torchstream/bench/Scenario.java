package io.torchstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.torchstream.bundle.ModelBundle;
import io.torchstream.bundle.TraceShape;
import io.torchstream.flink.JsonLinesFormat;
import io.torchstream.flink.TorchstreamMetrics;
import io.torchstream.jobs.JobConfig;
import io.torchstream.jobs.JobSpec;
import io.torchstream.jobs.JobSummary;
import io.torchstream.jobs.TorchstreamJob;
import io.torchstream.runtime.PaddedBatch;
import io.torchstream.task.ShapePolicy;
import io.torchstream.task.TextModel;
import io.torchstream.text.EncodedText;
import io.torchstream.text.TextInput;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark measurement, run in a JVM of its own (libtorch reads its thread count once per
 * process, and each scenario's memory is its own). Prints one line: {@code RESULT {json}}.
 *
 * <pre>
 * forward   bundle=DIR events=FILE shape=8x128 threads=N
 * job       job=YAML bundle=DIR events=FILE parallelism=N shapes=traced|verified [key=value overrides]
 * per-event job=YAML bundle=DIR events=FILE
 * </pre>
 */
public final class Scenario {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Scenario() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            a.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        ObjectNode result = switch (args[0]) {
            case "forward" -> forward(a);
            case "job" -> job(a);
            case "per-event" -> perEvent(a);
            default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
        };
        System.out.println("RESULT " + MAPPER.writeValueAsString(result));
        System.exit(0);
    }

    /** The bare forward pass at one shape: the ceiling for anything that runs at that shape. */
    static ObjectNode forward(Map<String, String> a) throws Exception {
        String[] dims = a.get("shape").split("x");
        TraceShape shape = new TraceShape(Integer.parseInt(dims[0]), Integer.parseInt(dims[1]));
        List<String> texts = BenchEvents.texts(List.of(Path.of(a.get("events"))));
        ShapePolicy policy = ShapePolicy.valueOf(a.getOrDefault("shapes", "traced").toUpperCase(java.util.Locale.ROOT));
        try (TextModel model = TextModel.open(ModelBundle.open(Path.of(a.get("bundle"))), Integer.parseInt(a.get("threads")), policy)) {
            List<EncodedText> rows = new ArrayList<>();
            for (int i = 0; i < shape.batch(); i++) {
                rows.add(model.encode(TextInput.of(texts.get(i % texts.size()))).head(shape.seqLen()));
            }
            PaddedBatch batch = PaddedBatch.of(rows, shape, model.manifest().padTokenId(), model.manifest().padTokenTypeId());
            for (int i = 0; i < 5; i++) {
                model.forward(batch);
            }
            int iterations = 0;
            long started = System.nanoTime();
            while (iterations < 20 || System.nanoTime() - started < 3_000_000_000L) {
                model.forward(batch);
                iterations++;
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            ObjectNode r = MAPPER.createObjectNode();
            r.put("events_per_second", iterations * shape.batch() / seconds);
            r.put("ms_per_batch", seconds * 1000 / iterations);
            r.put("iterations", iterations);
            return r;
        }
    }

    static ObjectNode job(Map<String, String> a) throws Exception {
        Path out = Files.createTempFile("bench-results", ".jsonl");
        JobSpec spec = JobSpec.load(Path.of(a.get("job")))
                .with("model.bundle", Path.of(a.get("bundle")).toAbsolutePath().toString())
                .with("input.type", "file").with("input.path", Path.of(a.get("events")).toAbsolutePath().toString())
                .with("output.type", "file").with("output.path", out.toString())
                .with("dead-letters.type", "print")
                .with("job.parallelism", a.get("parallelism"))
                .with("model.shapes", a.get("shapes"));
        for (Map.Entry<String, String> e : a.entrySet()) {
            if (e.getKey().contains(".")) {
                spec = spec.with(e.getKey(), e.getValue());
            }
        }
        JobSummary summary = TorchstreamJob.execute(JobConfig.from(spec));
        Files.deleteIfExists(out);
        ObjectNode r = MAPPER.createObjectNode();
        r.put("events_per_second", summary.eventsPerSecond());
        r.put("events", summary.results());
        r.put("seconds", summary.streamingMillis() / 1e3);
        r.put("balanced", summary.balanced());
        return r;
    }

    /** DJL's one-predict-per-event pattern in a Flink map function, at parallelism 1. */
    static ObjectNode perEvent(Map<String, String> a) throws Exception {
        JobConfig config = JobConfig.from(JobSpec.load(Path.of(a.get("job"))));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        Path events = Path.of(a.get("events")).toAbsolutePath();
        FileSource<io.torchstream.flink.RawEvent> source = FileSource.forRecordStreamFormat(
                new JsonLinesFormat(events.toString()), new org.apache.flink.core.fs.Path(events.toUri())).build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "events")
                .map(raw -> {
                    JsonNode doc = MAPPER.readTree(new String(raw.value(), StandardCharsets.UTF_8));
                    return doc.get("text").asText();
                }, Types.STRING)
                .map(new PerEventPredictor(Path.of(a.get("bundle")).toAbsolutePath().toString(), config.labels, config.labelScale))
                .sinkTo(new DiscardingSink<>());
        JobExecutionResult result = env.execute("per-event predictor");
        long first = ((Number) result.getAccumulatorResult(TorchstreamMetrics.ACCUMULATOR_PREFIX + TorchstreamMetrics.FIRST_EVENT_MILLIS)).longValue();
        long last = ((Number) result.getAccumulatorResult(TorchstreamMetrics.ACCUMULATOR_PREFIX + TorchstreamMetrics.LAST_RESULT_MILLIS)).longValue();
        long n = Files.lines(events).count();
        ObjectNode r = MAPPER.createObjectNode();
        r.put("events_per_second", n / ((last - first) / 1e3));
        r.put("events", n);
        r.put("seconds", (last - first) / 1e3);
        return r;
    }
}
