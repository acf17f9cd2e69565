package io.torchstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.torchstream.Label;
import io.torchstream.ModelSpec;
import io.torchstream.Torchstream;
import io.torchstream.internal.bundle.BundleManifest;
import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.bundle.TraceShape;
import io.torchstream.internal.flink.JsonLinesFormat;
import io.torchstream.internal.flink.TorchstreamMetrics;
import io.torchstream.internal.runtime.PaddedBatch;
import io.torchstream.internal.runtime.TorchScriptRunner;
import io.torchstream.internal.session.ModelOptions;
import io.torchstream.internal.task.ShapePolicy;
import io.torchstream.internal.task.TextModel;
import io.torchstream.internal.text.EncodedText;
import io.torchstream.internal.text.TextEncoder;
import io.torchstream.internal.text.TextInput;
import io.torchstream.jobs.JobConfig;
import io.torchstream.jobs.JobSpec;
import io.torchstream.jobs.JobSummary;
import io.torchstream.jobs.TorchstreamJob;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.LongMinimum;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One benchmark measurement, run in a JVM of its own (libtorch reads its thread count once per
 * process, and each scenario's memory is its own). Prints one line: {@code RESULT {json}}.
 *
 * <pre>
 * forward   bundle=DIR events=FILE shape=8x128 threads=N
 * job       job=YAML bundle=DIR events=FILE parallelism=N shapes=traced|verified [key=value overrides]
 * typed     job=YAML bundle=DIR events=FILE parallelism=N
 * per-event job=YAML bundle=DIR events=FILE
 * latency   job=YAML bundle=DIR events=FILE parallelism=N rate=R seconds=S
 * ort       bundle=DIR onnx=FILE events=FILE threads=N
 * load      bundle=DIR threads=N
 * first-calls bundle=DIR threads=N order=ascending|shuffled
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
            case "typed" -> typed(a);
            case "per-event" -> perEvent(a);
            case "latency" -> latency(a);
            case "ort" -> OrtScenario.run(a);
            case "load" -> load(a);
            case "first-calls" -> firstCalls(a);
            default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
        };
        System.out.println("RESULT " + MAPPER.writeValueAsString(result));
        System.exit(0);
    }

    /**
     * The bare forward pass at one shape ({@code shape=8x128}), or at every verified shape ({@code
     * shape=all}): the ceiling for anything that runs at that shape.
     */
    static ObjectNode forward(Map<String, String> a) throws Exception {
        List<String> texts = BenchEvents.texts(List.of(Path.of(a.get("events"))));
        try (TextModel model = TextModel.open(
                ModelBundle.open(Path.of(a.get("bundle"))), Integer.parseInt(a.get("threads")), ShapePolicy.VERIFIED)) {
            List<TraceShape> shapes = new ArrayList<>();
            if (a.get("shape").equals("all")) {
                shapes.addAll(model.shapes());
            } else {
                String[] dims = a.get("shape").split("x");
                shapes.add(new TraceShape(Integer.parseInt(dims[0]), Integer.parseInt(dims[1])));
            }
            ObjectNode r = MAPPER.createObjectNode();
            ObjectNode perShape = r.putObject("shapes");
            for (TraceShape shape : shapes) {
                List<EncodedText> rows = new ArrayList<>();
                for (int i = 0; i < shape.batch(); i++) {
                    rows.add(model.encode(TextInput.of(texts.get(i % texts.size())))
                            .head(shape.seqLen()));
                }
                PaddedBatch batch = PaddedBatch.of(
                        rows,
                        shape,
                        model.manifest().padTokenId(),
                        model.manifest().padTokenTypeId());
                for (int i = 0; i < 5; i++) {
                    model.forward(batch);
                }
                int iterations = 0;
                long started = System.nanoTime();
                long budget = Long.parseLong(a.getOrDefault("millis", "3000")) * 1_000_000L;
                while (iterations < 10 || System.nanoTime() - started < budget) {
                    model.forward(batch);
                    iterations++;
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                ObjectNode one = perShape.putObject(shape.toString());
                one.put("events_per_second", iterations * shape.batch() / seconds);
                one.put("ms_per_batch", seconds * 1000 / iterations);
                r.put("events_per_second", iterations * shape.batch() / seconds);
                r.put("ms_per_batch", seconds * 1000 / iterations);
            }
            return r;
        }
    }

    /** Loading the model as a job's first slot does: bundle check, tokenizer, libtorch, warm-up. */
    static ObjectNode load(Map<String, String> a) {
        long started = System.nanoTime();
        try (TextModel model =
                TextModel.open(ModelBundle.open(Path.of(a.get("bundle"))), Integer.parseInt(a.get("threads")))) {
            ObjectNode r = MAPPER.createObjectNode();
            r.put("load_millis", model.loadMillis());
            r.put("wall_millis", (System.nanoTime() - started) / 1_000_000);
            r.put("events_per_second", 0.0);
            return r;
        }
    }

    /**
     * The first forward pass at every verified shape against the steady one (the median of the 5 after it), on
     * a module that has run nothing before: what a warm-up has to run before live events do.
     */
    static ObjectNode firstCalls(Map<String, String> a) {
        ModelBundle bundle = ModelBundle.open(Path.of(a.get("bundle")));
        BundleManifest manifest = bundle.manifest();
        try (TextEncoder encoder = TextEncoder.open(bundle);
                TorchScriptRunner runner = TorchScriptRunner.load(bundle, Integer.parseInt(a.get("threads")))) {
            List<TraceShape> shapes = new ArrayList<>(manifest.shapes());
            if (a.getOrDefault("order", "ascending").equals("shuffled")) {
                Collections.shuffle(shapes, new Random(7));
            }
            EncodedText sample = encoder.encode(TextInput.of("a first call at every shape"));
            ObjectNode r = MAPPER.createObjectNode();
            ObjectNode perShape = r.putObject("shapes");
            double firstSum = 0;
            double steadySum = 0;
            for (TraceShape shape : shapes) {
                PaddedBatch batch = PaddedBatch.of(
                        Collections.nCopies(shape.batch(), sample.head(shape.seqLen())),
                        shape,
                        manifest.padTokenId(),
                        manifest.padTokenTypeId());
                double[] millis = new double[6];
                for (int i = 0; i < millis.length; i++) {
                    long started = System.nanoTime();
                    runner.run(batch);
                    millis[i] = (System.nanoTime() - started) / 1e6;
                }
                double first = millis[0];
                Arrays.sort(millis, 1, millis.length);
                double steady = millis[3];
                ObjectNode one = perShape.putObject(shape.toString());
                one.put("first_ms", first);
                one.put("steady_ms", steady);
                firstSum += first;
                steadySum += steady;
            }
            r.put("first_ms_sum", firstSum);
            r.put("steady_ms_sum", steadySum);
            r.put("events_per_second", 0.0);
            return r;
        }
    }

    static ObjectNode job(Map<String, String> a) throws Exception {
        Path out = Files.createTempFile("bench-results", ".jsonl");
        JobSpec spec = JobSpec.load(Path.of(a.get("job")))
                .with("model.bundle", Path.of(a.get("bundle")).toAbsolutePath().toString())
                .with("input.type", "file")
                .with("input.path", Path.of(a.get("events")).toAbsolutePath().toString())
                .with("output.type", "file")
                .with("output.path", out.toString())
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
        r.put("padding_ratio", summary.paddingRatio());
        return r;
    }

    /** An event of the typed scenario: what a user's job holds instead of JSON bytes. */
    public static class Headline {
        public String id;
        public String text;

        public Headline() {}

        Headline(String id, String text) {
            this.id = id;
            this.text = text;
        }

        public String getText() {
            return text;
        }
    }

    /** Notes when the first element passed (a job-wide minimum), as the job runner's parser does. */
    static final class FirstSeen extends RichMapFunction<Headline, Headline> {
        private transient LongMinimum first;
        private transient boolean seen;

        @Override
        public void open(OpenContext context) {
            first = new LongMinimum();
            getRuntimeContext()
                    .addAccumulator(
                            TorchstreamMetrics.ACCUMULATOR_PREFIX + TorchstreamMetrics.FIRST_EVENT_MILLIS, first);
        }

        @Override
        public Headline map(Headline value) {
            if (!seen) {
                first.add(System.currentTimeMillis());
                seen = true;
            }
            return value;
        }
    }

    /**
     * The typed API on the job's model, labels and batching, with elements already typed: what the job
     * runner costs beyond it is its JSON parsing and writing.
     */
    static ObjectNode typed(Map<String, String> a) throws Exception {
        JobConfig config = JobConfig.from(JobSpec.load(Path.of(a.get("job")))
                .with("model.bundle", Path.of(a.get("bundle")).toAbsolutePath().toString())
                .with("input.type", "file")
                .with("input.path", Path.of(a.get("events")).toAbsolutePath().toString())
                .with("output.type", "print")
                .with("dead-letters.type", "print"));
        List<Headline> headlines = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(a.get("events")))) {
            JsonNode doc = MAPPER.readTree(line);
            headlines.add(new Headline(doc.path("id").asText(), doc.path("text").asText()));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(Integer.parseInt(a.get("parallelism")));
        ModelSpec model = ModelSpec.bundle(config.bundle.toString())
                .labels(config.labels.stream()
                        .map(l -> new Label(l.name(), l.description(), l.examples()))
                        .toList());
        BundleManifest manifest = ModelBundle.open(config.bundle).manifest();
        Torchstream.classify(env.fromData(TypeInformation.of(Headline.class), headlines.toArray(new Headline[0]))
                        .rebalance()
                        .map(new FirstSeen(), TypeInformation.of(Headline.class)))
                .text(Headline::getText)
                .model(model)
                .batch(ModelOptions.defaultBatchSize(manifest, config.shapes), config.batchMaxWait)
                .build()
                .sinkTo(new DiscardingSink<>());
        JobExecutionResult result = env.execute("typed");
        return throughput(result, accumulator(result, TorchstreamMetrics.EVENTS_OUT));
    }

    /** End-to-end latency of generated events at a fixed rate: from creation to the result leaving the job. */
    static ObjectNode latency(Map<String, String> a) throws Exception {
        double rate = Double.parseDouble(a.get("rate"));
        long count = (long) (rate * Double.parseDouble(a.get("seconds")));
        JobSpec spec = JobSpec.load(Path.of(a.get("job")))
                .with("model.bundle", Path.of(a.get("bundle")).toAbsolutePath().toString())
                .with("input.type", "generator")
                .with(
                        "input.generator.texts",
                        Path.of(a.get("events")).toAbsolutePath().toString())
                .with("input.generator.rate", String.valueOf(rate))
                .with("input.generator.count", String.valueOf(count))
                .with("output.type", "print")
                .with("dead-letters.type", "print")
                .with("job.parallelism", a.get("parallelism"));
        for (Map.Entry<String, String> e : a.entrySet()) {
            if (e.getKey().contains(".")) {
                spec = spec.with(e.getKey(), e.getValue());
            }
        }
        JobConfig config = JobConfig.from(spec);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                org.apache.flink.configuration.Configuration.fromMap(config.flink));
        env.setParallelism(config.parallelism);
        BundleManifest manifest = ModelBundle.open(config.bundle).manifest();
        int batch = manifest.shapes().stream().mapToInt(TraceShape::batch).max().orElseThrow();
        config = JobConfig.from(spec.with("batch.max-size", a.getOrDefault("batch", String.valueOf(batch * 4)))
                .with("output.scores", "false"));
        TorchstreamJob.Streams streams = TorchstreamJob.inference(TorchstreamJob.source(env, config), config, manifest);
        // The events of the first 5 seconds come in a burst while the job starts: measure the steady state.
        streams.results().map(new LatencyProbe((long) (rate * 5))).sinkTo(new DiscardingSink<>());
        JobExecutionResult result = env.execute("latency");
        List<Long> steady = new ArrayList<>(result.<List<Long>>getAccumulatorResult(LatencyProbe.ACCUMULATOR));
        Collections.sort(steady);
        ObjectNode r = MAPPER.createObjectNode();
        r.put("events_per_second", rate);
        r.put("p50_ms", percentile(steady, 0.50));
        r.put("p99_ms", percentile(steady, 0.99));
        r.put("max_ms", steady.get(steady.size() - 1));
        r.put("events", steady.size());
        r.put("max_wait_ms", config.batchMaxWait.toMillis());
        return r;
    }

    private static long percentile(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    /** DJL's one-predict-per-event pattern in a Flink map function, at parallelism 1. */
    static ObjectNode perEvent(Map<String, String> a) throws Exception {
        JobConfig config = JobConfig.from(JobSpec.load(Path.of(a.get("job"))));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        Path events = Path.of(a.get("events")).toAbsolutePath();
        FileSource<io.torchstream.internal.flink.RawEvent> source = FileSource.forRecordStreamFormat(
                        new JsonLinesFormat(events.toString()), new org.apache.flink.core.fs.Path(events.toUri()))
                .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "events")
                .map(
                        raw -> {
                            JsonNode doc = MAPPER.readTree(new String(raw.value(), StandardCharsets.UTF_8));
                            return doc.get("text").asText();
                        },
                        Types.STRING)
                .map(new PerEventPredictor(
                        Path.of(a.get("bundle")).toAbsolutePath().toString(), config.labels, config.labelScale))
                .sinkTo(new DiscardingSink<>());
        JobExecutionResult result = env.execute("per-event predictor");
        return throughput(result, Files.lines(events).count());
    }

    private static long accumulator(JobExecutionResult result, String metric) {
        return ((Number) result.getAccumulatorResult(TorchstreamMetrics.ACCUMULATOR_PREFIX + metric)).longValue();
    }

    /** {@code n} events from the first one read to the last result written. */
    private static ObjectNode throughput(JobExecutionResult result, long n) {
        double seconds = (accumulator(result, TorchstreamMetrics.LAST_RESULT_MILLIS)
                        - accumulator(result, TorchstreamMetrics.FIRST_EVENT_MILLIS))
                / 1e3;
        ObjectNode r = MAPPER.createObjectNode();
        r.put("events_per_second", n / seconds);
        r.put("events", n);
        r.put("seconds", seconds);
        return r;
    }
}
