package io.torchstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.internal.session.ModelSession;
import io.torchstream.internal.session.ModelSettings;
import io.torchstream.internal.task.Aggregation;
import io.torchstream.internal.task.Classification;
import io.torchstream.internal.task.Embedding;
import io.torchstream.internal.task.Entities;
import io.torchstream.internal.task.Prediction;
import io.torchstream.internal.text.TextInput;
import io.torchstream.testing.Fixtures;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The typed API on a MiniCluster at parallelism 2, with Kryo switched off so that any type Flink could
 * not serialize natively fails the job: results keep their elements' event time (windows downstream
 * count what the model says without Flink), refused elements are typed dead letters, and every element
 * is accounted for.
 */
class TorchstreamITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    /** A user's event type: a Flink POJO. */
    public static class Order {
        public String id;
        public String description;
        public long time;

        public Order() {}

        Order(String id, String description, long time) {
            this.id = id;
            this.description = description;
            this.time = time;
        }

        public String getDescription() {
            return description;
        }
    }

    private static final String SEQ_CLS = Fixtures.bundleDir("bert-seq-cls").toString();
    private static final long MINUTE = 60_000;

    private static StreamExecutionEnvironment env() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        return env;
    }

    private static List<Order> orders(int n) {
        List<TextInput> corpus = Fixtures.inputs(Fixtures.reference("bert-seq-cls"));
        List<Order> orders = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String text = corpus.get(i % corpus.size()).text();
            // Three minutes of event time, a little out of order within each second.
            orders.add(new Order(
                    "o" + i, text.isBlank() ? "blank replaced " + i : text, i * 3 * MINUTE / n + (i % 2) * 500));
        }
        return orders;
    }

    private static DataStream<Order> source(StreamExecutionEnvironment env, List<Order> orders) {
        return env.fromData(TypeInformation.of(Order.class), orders.toArray(new Order[0]))
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Order>forBoundedOutOfOrderness(Duration.ofSeconds(1))
                        .withTimestampAssigner((order, previous) -> order.time))
                .rebalance();
    }

    private static <T> List<T> collect(DataStream<T> stream) throws Exception {
        List<T> out = new ArrayList<>();
        try (CloseableIterator<T> it = stream.executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    /** Counts per label and minute. */
    static final class CountPerMinute
            extends ProcessWindowFunction<Classified<Order>, Tuple3<Long, String, Long>, String, TimeWindow> {
        @Override
        public void process(
                String label,
                Context context,
                Iterable<Classified<Order>> results,
                Collector<Tuple3<Long, String, Long>> out) {
            long n = 0;
            for (Classified<Order> ignored : results) {
                n++;
            }
            out.collect(Tuple3.of(context.window().getStart(), label, n));
        }
    }

    @Test
    void eventTimeWindowsDownstreamCountWhatTheModelSaysWithoutFlink() throws Exception {
        List<Order> orders = orders(90);
        StreamExecutionEnvironment env = env();
        SingleOutputStreamOperator<Classified<Order>> classified = Torchstream.classify(source(env, orders))
                .text(Order::getDescription)
                .model(ModelSpec.bundle(SEQ_CLS))
                .batch(8, Duration.ofMillis(5))
                .build();
        assertThat(classified.getType()).isInstanceOf(PojoTypeInfo.class);
        DataStream<Tuple3<Long, String, Long>> counts = classified
                .keyBy(Classified::getLabel, Types.STRING)
                .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)))
                .process(new CountPerMinute(), Types.TUPLE(Types.LONG, Types.STRING, Types.LONG));
        Map<String, Long> byFlink = new TreeMap<>();
        for (Tuple3<Long, String, Long> c : collect(counts)) {
            byFlink.merge(c.f0 / MINUTE + " " + c.f1, c.f2, Long::sum);
        }

        Map<String, Long> expected = new TreeMap<>();
        try (ModelSession session = ModelSession.open(ModelSettings.of(absolute(SEQ_CLS)), 1)) {
            List<Prediction> direct = session.predict(orders.stream()
                            .map(o -> TextInput.of(o.description))
                            .toList())
                    .results();
            for (int i = 0; i < orders.size(); i++) {
                expected.merge(
                        orders.get(i).time / MINUTE + " " + ((Classification) direct.get(i)).label(), 1L, Long::sum);
            }
        }
        assertThat(byFlink).isEqualTo(expected);
        assertThat(byFlink.keySet()).extracting(k -> k.split(" ")[0]).containsOnly("0", "1", "2");
    }

    @Test
    void refusedElementsAreTypedDeadLettersAndEveryElementIsAccountedFor() throws Exception {
        List<Order> orders = orders(30);
        orders.add(new Order("null", null, 1));
        orders.add(new Order("empty", "", 2));
        orders.add(new Order("blank", "  \t", 3));
        orders.add(new Order("boom", "boom", 4));
        orders.add(new Order("huge", "x".repeat(5000), 5));
        StreamExecutionEnvironment env = env();
        SingleOutputStreamOperator<Classified<Order>> classified = Torchstream.classify(source(env, orders))
                .text(o -> {
                    if ("boom".equals(o.description)) {
                        throw new IllegalStateException("no description for " + o.id);
                    }
                    return o.description;
                })
                .model(ModelSpec.bundle(SEQ_CLS))
                .maxTextLength(4000)
                .build();
        DataStream<String> outcomes = classified
                .map(c -> "result " + c.getValue().id, Types.STRING)
                .union(Torchstream.deadLetters(classified)
                        .map(d -> "dead " + d.getValue().id + ": " + d.getReason(), Types.STRING));
        List<String> all = collect(outcomes);

        assertThat(all).hasSize(orders.size());
        assertThat(all).filteredOn(s -> s.startsWith("result")).hasSize(30);
        assertThat(all)
                .filteredOn(s -> s.startsWith("dead"))
                .containsExactlyInAnyOrder(
                        "dead null: null text",
                        "dead empty: empty text",
                        "dead blank: empty text",
                        "dead boom: the text function threw IllegalStateException: no description for boom",
                        "dead huge: text of 5000 characters is over the limit of 4000");
    }

    @Test
    void withTruncationOffATextLongerThanTheModelIsADeadLetterAndItsBatchIsNot() throws Exception {
        List<Order> orders =
                List.of(new Order("a", "good", 1), new Order("long", "word ".repeat(60), 2), new Order("b", "fine", 3));
        SingleOutputStreamOperator<Classified<Order>> classified = Torchstream.classify(source(env(), orders))
                .text(Order::getDescription)
                .model(ModelSpec.bundle(SEQ_CLS).truncate(false))
                .batch(8, Duration.ofSeconds(1))
                .build();
        DataStream<String> outcomes = classified
                .map(c -> "result " + c.getValue().id, Types.STRING)
                .union(Torchstream.deadLetters(classified)
                        .map(d -> "dead " + d.getValue().id + ": " + d.getReason(), Types.STRING));
        assertThat(collect(outcomes))
                .containsExactlyInAnyOrder(
                        "result a",
                        "result b",
                        "dead long: the text has more tokens than the model's 24, and truncation is off");
    }

    @Test
    void twoModelsChainedIntoOneTaskShareItsAccumulators() throws Exception {
        StreamExecutionEnvironment env = env();
        env.setParallelism(1);
        DataStream<Order> orders =
                env.fromData(TypeInformation.of(Order.class), orders(6).toArray(new Order[0]));
        DataStream<String> labels = Torchstream.classify(orders)
                .text(Order::getDescription)
                .model(ModelSpec.bundle(SEQ_CLS))
                .build()
                .map(c -> "label " + c.getValue().id, Types.STRING);
        DataStream<String> vectors = Torchstream.embed(orders)
                .text(Order::getDescription)
                .model(ModelSpec.bundle(Fixtures.bundleDir("bert-embedding").toString()))
                .build()
                .map(e -> "vector " + e.getValue().id, Types.STRING);
        assertThat(collect(labels.union(vectors))).hasSize(12);
    }

    @Test
    void tagAndEmbedGiveTheModelsEntitiesAndVectors() throws Exception {
        String tagger = Fixtures.bundleDir("bert-token-cls").toString();
        String embedder = Fixtures.bundleDir("bert-embedding").toString();
        List<Order> orders = orders(12);
        List<TextInput> texts =
                orders.stream().map(o -> TextInput.of(o.description)).toList();

        List<Tagged<Order>> tagged = collect(Torchstream.tag(source(env(), orders))
                .text(Order::getDescription)
                .model(ModelSpec.bundle(tagger).aggregation("first"))
                .build());
        List<Embedded<Order>> embedded = collect(Torchstream.embed(source(env(), orders))
                .text(Order::getDescription)
                .model(ModelSpec.bundle(embedder))
                .build());

        try (ModelSession tags = ModelSession.open(
                        ModelSettings.of(absolute(tagger))
                                .withTagging(new ModelSettings.Tagging(Aggregation.FIRST, -1, List.of("O"))),
                        1);
                ModelSession vectors = ModelSession.open(ModelSettings.of(absolute(embedder)), 1)) {
            List<Prediction> entities = tags.predict(texts).results();
            List<Prediction> embeddings = vectors.predict(texts).results();
            assertThat(tagged).hasSize(orders.size());
            for (Tagged<Order> t : tagged) {
                int i = Integer.parseInt(t.getValue().id.substring(1));
                Entities expected = (Entities) entities.get(i);
                assertThat(t.getEntities())
                        .extracting(EntitySpan::getWord)
                        .containsExactlyElementsOf(
                                expected.entities().stream().map(e -> e.word()).toList());
                assertThat(t.getModel()).isEqualTo(tags.modelName());
                assertThat(t.getModelVersion()).isEqualTo(tags.modelVersion());
            }
            assertThat(embedded).hasSize(orders.size());
            for (Embedded<Order> e : embedded) {
                int i = Integer.parseInt(e.getValue().id.substring(1));
                assertThat(e.getVector()).containsExactly(((Embedding) embeddings.get(i)).vector());
            }
        }
    }

    @Test
    void aRedactingSpecGivesPseudonymsThatAreStableAcrossEventsAndHideTheSalt() throws Exception {
        List<Order> orders = List.of(
                new Order("o0", "Refund to ana.lopez@example.org please", 0),
                new Order("o1", "ana.lopez@example.org again: card 4111 1111 1111 1111", 1),
                new Order("o2", "No personal data here", 2));
        ModelSpec spec = ModelSpec.bundle("models/pii-rampart")
                .redact("types.EMAIL.operator", "hash")
                .redact("salt", "order-salt-2026")
                .redact("types.CREDIT_CARD.operator", "mask")
                .redact("types.CREDIT_CARD.mask-count", "15");
        assertThat(spec.toString()).doesNotContain("order-salt-2026");
        List<Tagged<Order>> tagged = collect(Torchstream.tag(source(env(), orders))
                .text(Order::getDescription)
                .model(spec)
                .build());
        Map<String, Tagged<Order>> byId = new HashMap<>();
        tagged.forEach(t -> byId.put(t.getValue().id, t));
        String first = byId.get("o0").getRedacted();
        String second = byId.get("o1").getRedacted();
        assertThat(first).matches("Refund to [0-9a-f]{64} please");
        String pseudonym = first.substring("Refund to ".length(), "Refund to ".length() + 64);
        // What the model makes of the words between is its own affair: the patterns' spans are pinned.
        assertThat(second).startsWith(pseudonym + " again: ").endsWith(" ***************1111");
        assertThat(byId.get("o2").getRedacted()).isEqualTo("No personal data here");
        assertThat(byId.get("o1").getEntities())
                .extracting(EntitySpan::getSource)
                .containsSubsequence("pattern:email", "pattern:credit_card");
        assertThat(tagged.toString()).doesNotContain("order-salt-2026").doesNotContain("ana.lopez");
    }

    @Test
    void aMisusedBuilderFailsAtBuildNamingTheMethod() {
        StreamExecutionEnvironment env = env();
        DataStream<Order> orders = source(env, orders(3));
        assertThatThrownBy(() -> Torchstream.classify(orders)
                        .model(ModelSpec.bundle(SEQ_CLS))
                        .build())
                .hasMessageContaining("text(...) was not called");
        assertThatThrownBy(() ->
                        Torchstream.classify(orders).text(Order::getDescription).build())
                .hasMessageContaining("model(...) was not called");
        assertThatThrownBy(() -> Torchstream.classify(orders)
                        .text(Order::getDescription)
                        .model(ModelSpec.bundle(SEQ_CLS))
                        .batch(0, Duration.ofMillis(5))
                        .build())
                .hasMessageContaining("batch(0, PT0.005S): the size must be >= 1");
        assertThatThrownBy(() -> Torchstream.tag(orders)
                        .text(Order::getDescription)
                        .model(ModelSpec.bundle(
                                        Fixtures.bundleDir("bert-token-cls").toString())
                                .labelsFile("jobs/labels/news-topics.yaml"))
                        .build())
                .hasMessageContaining(
                        "ModelSpec.labelsFile(jobs/labels/news-topics.yaml): classifies with an embedding bundle");
        assertThatThrownBy(() -> Torchstream.classify(orders)
                        .text(Order::getDescription)
                        .model(ModelSpec.bundle("/no/such/bundle"))
                        .build())
                .hasMessageContaining("ModelSpec.bundle(/no/such/bundle): is not a usable bundle");
        assertThatThrownBy(() -> Torchstream.classify(orders)
                        .text(Order::getDescription)
                        .model(ModelSpec.bundle(
                                Fixtures.bundleDir("bert-embedding").toString()))
                        .build())
                .hasMessageContaining(
                        "classify needs a sequence-classification bundle, or an embedding bundle with labels");
        assertThatThrownBy(() -> Torchstream.classify(orders)
                        .text(Order::getDescription)
                        .model(ModelSpec.bundle(
                                Fixtures.bundleDir("bert-pair-cls").toString()))
                        .build())
                .hasMessageContaining("is a sentence-pair model: give both texts with textPair(text, pair)");
        assertThatThrownBy(() -> Torchstream.classify(orders)
                        .text(Order::getDescription)
                        .model(ModelSpec.bundle(SEQ_CLS).threads(-1))
                        .build())
                .hasMessageContaining("ModelSpec.threads(-1): must be >= 0");
    }

    /** An absolute path, as settings carry it. */
    private static String absolute(String path) {
        return Path.of(path).toAbsolutePath().normalize().toString();
    }
}
