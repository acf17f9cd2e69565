package io.torchstream.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Follows topics as a read_committed consumer does, from their beginning, counting how often each
 * record key (the event id) has been seen: what a downstream reader of an exactly-once job gets.
 */
public final class CommittedReader implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Integer> seen = new HashMap<>();
    private final Map<String, Integer> perTopic = new HashMap<>();
    private final Map<TopicPartition, List<String>> versions = new HashMap<>();

    public CommittedReader(String bootstrapServers, String... topics) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads what has been committed since the last call; returns how many records that was. */
    public int poll() {
        int n = 0;
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            seen.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
            perTopic.merge(r.topic(), 1, Integer::sum);
            String version = modelVersion(r.value());
            if (version != null) {
                versions.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), p -> new ArrayList<>())
                        .add(version);
            }
            n++;
        }
        return n;
    }

    /** Distinct keys seen. */
    public int distinct() {
        return seen.size();
    }

    /** Records seen in all. */
    public int total() {
        return seen.values().stream().mapToInt(Integer::intValue).sum();
    }

    public Map<String, Integer> counts() {
        return seen;
    }

    public Map<String, Integer> perTopic() {
        return perTopic;
    }

    /** The model_version of each committed result, in order, per partition (records without one left out). */
    public Map<TopicPartition, List<String>> versions() {
        return versions;
    }

    private static String modelVersion(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            JsonNode version = MAPPER.readTree(value).get("model_version");
            return version == null || version.isNull() ? null : version.asText();
        } catch (java.io.IOException notJson) {
            return null;
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public void close() {
        consumer.close();
    }
}
