package com.example.news;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.torchstream.Classified;
import io.torchstream.DeadLetter;
import io.torchstream.ModelSpec;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The job's topology on a MiniCluster, with a bounded stream of the repository's held-out headlines in
 * place of Kafka and the real default model: every message is classified or refused, the per-minute
 * counts add up to what was classified in each minute, and the topics are right.
 */
class NewsTopicsJobTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final long START = 1_764_633_600_000L; // 2025-12-02T00:00Z
    private static final ModelSpec MODEL =
            ModelSpec.bundle("../models/all-minilm-l6-v2").labelsFile("../jobs/labels/news-topics.yaml");

    @Test
    void everyMessageIsCountedInItsMinuteOfEventTime() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Message> messages = new ArrayList<>();
        Map<String, String> truth = new HashMap<>();
        List<String> lines = Files.readAllLines(Path.of("../data/headlines-test.jsonl"));
        for (int i = 0; i < lines.size(); i++) {
            JsonNode row = json.readTree(lines.get(i));
            // Four minutes of event time.
            messages.add(new Message(
                    row.get("id").asText(), row.get("text").asText(), START + i * 4 * 60_000L / lines.size()));
            truth.put(row.get("id").asText(), row.get("label").asText());
        }
        messages.add(new Message("no-text", null, START + 1));
        messages.add(new Message("empty", " ", START + 2));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<Message> source = env.fromData(TypeInformation.of(Message.class), messages.toArray(new Message[0]))
                .assignTimestampsAndWatermarks(
                        WatermarkStrategy.<Message>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                                .withTimestampAssigner((m, previous) -> m.time));
        NewsTopicsJob.Streams streams = NewsTopicsJob.topology(source, MODEL);
        List<Classified<Message>> classified = new ArrayList<>();
        List<TopicCount> counts = new ArrayList<>();
        List<DeadLetter<Message>> refused = new ArrayList<>();
        try (CloseableIterator<Classified<Message>> c = streams.classified().collectAsync();
                CloseableIterator<TopicCount> n = streams.counts().collectAsync();
                CloseableIterator<DeadLetter<Message>> r = streams.refused().collectAsync()) {
            env.execute("news-topics-test");
            c.forEachRemaining(classified::add);
            n.forEachRemaining(counts::add);
            r.forEachRemaining(refused::add);
        }

        assertThat(classified.size() + refused.size())
                .as("in = results + dead letters")
                .isEqualTo(messages.size());
        assertThat(refused)
                .extracting(d -> d.getValue().id + ": " + d.getReason())
                .containsExactlyInAnyOrder("no-text: null text", "empty: empty text");

        Map<Long, Long> classifiedPerMinute = new TreeMap<>();
        classified.forEach(c -> classifiedPerMinute.merge((c.getValue().time - START) / 60_000, 1L, Long::sum));
        Map<Long, Long> countedPerMinute = new TreeMap<>();
        counts.forEach(t -> countedPerMinute.merge((t.windowStart - START) / 60_000, t.count, Long::sum));
        assertThat(countedPerMinute).isEqualTo(classifiedPerMinute);
        assertThat(countedPerMinute).containsOnlyKeys(0L, 1L, 2L, 3L);

        long right = classified.stream()
                .filter(c -> c.getLabel().equals(truth.get(c.getValue().id)))
                .count();
        assertThat(right / (double) classified.size())
                .as("accuracy on held-out headlines")
                .isGreaterThanOrEqualTo(0.95);
        counts.stream()
                .sorted(java.util.Comparator.comparingLong((TopicCount t) -> t.windowStart)
                        .thenComparing(t -> t.topic))
                .forEach(t -> System.out.println(
                        "minute " + (t.windowStart - START) / 60_000 + "  " + t.topic + "  " + t.count));
        System.out.println("accuracy " + right + "/" + classified.size());
    }
}
