package com.example.news;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.torchstream.Classified;
import io.torchstream.DeadLetter;
import io.torchstream.ModelSpec;
import io.torchstream.Torchstream;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * News headlines from Kafka, classified into topics with torchstream, counted per topic and minute of
 * event time, and written back to Kafka: the classified messages, the counts, and the messages that
 * could not be classified, each with its reason.
 *
 * <pre>
 * flink run target/news-topics-1.0-SNAPSHOT.jar --brokers 127.0.0.1:9092 --bundle /models/all-minilm-l6-v2 \
 *     --labels /models/news-topics.yaml
 * </pre>
 */
public final class NewsTopicsJob {

    private static final ObjectMapper JSON = new ObjectMapper();

    private NewsTopicsJob() {}

    /** What the job computes, before any sink. */
    public record Streams(
            DataStream<Classified<Message>> classified,
            DataStream<TopicCount> counts,
            DataStream<DeadLetter<Message>> refused) {}

    /**
     * The job's logic on any stream of messages with event time: classification, then a count per topic
     * in one-minute tumbling windows of event time, downstream of the model.
     */
    public static Streams topology(DataStream<Message> messages, ModelSpec model) {
        SingleOutputStreamOperator<Classified<Message>> classified = Torchstream.classify(messages)
                .text(Message::getText)
                .model(model)
                .batch(32, Duration.ofMillis(20))
                .uid("classify-news")
                .build();
        DataStream<TopicCount> counts = classified
                .keyBy(Classified::getLabel, Types.STRING)
                .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)))
                .aggregate(
                        new Count(),
                        new PerTopicAndMinute(),
                        Types.LONG,
                        Types.LONG,
                        TypeInformation.of(TopicCount.class))
                .uid("count-per-topic");
        return new Streams(classified, counts, Torchstream.deadLetters(classified));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = arguments(args);
        String brokers = a.getOrDefault("brokers", "127.0.0.1:9092");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(10_000);

        KafkaSource<String> source = KafkaSource.<String>builder()
                .setBootstrapServers(brokers)
                .setTopics(a.getOrDefault("in", "news"))
                .setGroupId(a.getOrDefault("group", "news-topics"))
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setValueOnlyDeserializer(new SimpleStringSchema())
                .build();
        SingleOutputStreamOperator<Message> parsed = env.fromSource(
                        source, WatermarkStrategy.noWatermarks(), "kafka: news")
                .process(new ParseMessage(), TypeInformation.of(Message.class))
                .uid("parse");
        DataStream<Message> messages = parsed.assignTimestampsAndWatermarks(
                WatermarkStrategy.<Message>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                        .withTimestampAssigner((m, previous) -> m.time)
                        .withIdleness(Duration.ofMinutes(1)));

        Streams streams = topology(
                messages,
                ModelSpec.bundle(a.getOrDefault("bundle", "models/all-minilm-l6-v2"))
                        .labelsFile(a.getOrDefault("labels", "jobs/labels/news-topics.yaml")));

        streams.classified()
                .map(NewsTopicsJob::classifiedJson, Types.STRING)
                .uid("classified-json")
                .sinkTo(kafka(brokers, a.getOrDefault("out", "news-topics")))
                .uid("kafka-classified");
        streams.counts()
                .map(JSON::writeValueAsString, Types.STRING)
                .uid("counts-json")
                .sinkTo(kafka(brokers, a.getOrDefault("counts", "news-topic-counts")))
                .uid("kafka-counts");
        streams.refused()
                .map(d -> deadLetterJson(d.getReason(), JSON.writeValueAsString(d.getValue())), Types.STRING)
                .uid("refused-json")
                .union(parsed.getSideOutput(ParseMessage.UNPARSABLE))
                .sinkTo(kafka(brokers, a.getOrDefault("dead-letters", "news-dlq")))
                .uid("kafka-dead-letters");
        env.execute("news-topics");
    }

    /** Reads JSON messages; anything else goes to a side output as a dead letter, never silently away. */
    static final class ParseMessage extends ProcessFunction<String, Message> {
        static final OutputTag<String> UNPARSABLE = new OutputTag<>("unparsable", Types.STRING);

        @Override
        public void processElement(String value, Context ctx, Collector<Message> out) throws Exception {
            try {
                JsonNode node = JSON.readTree(value);
                out.collect(new Message(
                        node.path("id").asText(null),
                        node.path("text").asText(null),
                        node.path("time").asLong()));
            } catch (Exception e) {
                ctx.output(UNPARSABLE, deadLetterJson("not JSON: " + e.getMessage(), value));
            }
        }
    }

    static final class Count implements AggregateFunction<Classified<Message>, Long, Long> {
        @Override
        public Long createAccumulator() {
            return 0L;
        }

        @Override
        public Long add(Classified<Message> value, Long n) {
            return n + 1;
        }

        @Override
        public Long getResult(Long n) {
            return n;
        }

        @Override
        public Long merge(Long a, Long b) {
            return a + b;
        }
    }

    static final class PerTopicAndMinute extends ProcessWindowFunction<Long, TopicCount, String, TimeWindow> {
        @Override
        public void process(String topic, Context context, Iterable<Long> counts, Collector<TopicCount> out) {
            out.collect(new TopicCount(
                    context.window().getStart(), topic, counts.iterator().next()));
        }
    }

    private static String classifiedJson(Classified<Message> c) throws Exception {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("id", c.getValue().id);
        doc.put("text", c.getValue().text);
        doc.put("time", c.getValue().time);
        doc.put("topic", c.getLabel());
        doc.put("score", c.getScore());
        doc.put("model", c.getModel());
        doc.put("model_version", c.getModelVersion());
        return JSON.writeValueAsString(doc);
    }

    private static String deadLetterJson(String reason, String original) throws Exception {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("reason", reason);
        doc.put("original", original);
        return JSON.writeValueAsString(doc);
    }

    private static KafkaSink<String> kafka(String brokers, String topic) {
        return KafkaSink.<String>builder()
                .setBootstrapServers(brokers)
                .setRecordSerializer(KafkaRecordSerializationSchema.builder()
                        .setTopic(topic)
                        .setValueSerializationSchema(new SimpleStringSchema())
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    private static Map<String, String> arguments(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
            }
            a.put(args[i].substring(2), args[i + 1]);
        }
        return a;
    }
}
