package io.torchstream.internal.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * A Kafka topic whose records name the version a job should serve, for where polling a repository does not
 * fit: {@code {"version": 3}}, optionally with {@code "sha256"} (of the version's model.pt, as its
 * bundle.json records: a copy that differs is refused) and {@code "uri"} (where the version's bundle is, when
 * not in the repository's folder {@code 3/}). Every task reads every partition from the beginning (no consumer
 * group), read_committed, so a restarted job knows the last version named. Not thread-safe: the session's
 * poller owns it after it opens.
 */
final class ControlTopic implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlTopic.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A version a record named. */
    record Request(long version, String sha256, String uri) {}

    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private Request highest;
    private long refused;

    private ControlTopic(String topic, KafkaConsumer<byte[], byte[]> consumer) {
        this.topic = topic;
        this.consumer = consumer;
    }

    /** Subscribes to every partition of {@code topic} and reads what it holds now (up to {@code timeout}). */
    static ControlTopic open(String bootstrapServers, String topic, String clientId, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, timeout)
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            if (partitions.isEmpty()) {
                throw new IllegalStateException("the reload topic " + topic + " does not exist at " + bootstrapServers);
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            ControlTopic control = new ControlTopic(topic, consumer);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!caughtUp(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the reload topic " + topic
                            + " could not be read to its end within " + timeout.toSeconds() + " s");
                }
                control.read(Duration.ofMillis(200));
            }
            return control;
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Reads what arrived since the last call; returns the highest version named so far, if any. */
    Optional<Request> poll() {
        read(Duration.ZERO);
        return Optional.ofNullable(highest);
    }

    /** The highest version named so far. */
    Optional<Request> highest() {
        return Optional.ofNullable(highest);
    }

    /** Records that named no version (not JSON, no positive "version"), since the topic was opened. */
    long refused() {
        return refused;
    }

    private void read(Duration timeout) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            try {
                Request request = parse(record.value());
                // A later record for the same version (a corrected sha256, a new uri) replaces the earlier one.
                if (highest == null || request.version() >= highest.version()) {
                    highest = request;
                }
            } catch (IllegalArgumentException e) {
                refused++;
                LOG.warn(
                        "reload topic {} partition {} offset {}: {}; the record (base64) {} is ignored",
                        topic,
                        record.partition(),
                        record.offset(),
                        e.getMessage(),
                        record.value() == null ? "null" : Base64.getEncoder().encodeToString(record.value()));
            }
        }
    }

    static Request parse(byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("a tombstone names no version");
        }
        JsonNode doc;
        try {
            doc = MAPPER.readTree(new String(value, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: expected {\"version\": N}, optionally with sha256 and uri");
        }
        if (doc == null
                || !doc.isObject()
                || !doc.path("version").canConvertToLong()
                || doc.get("version").asLong() < 1) {
            throw new IllegalArgumentException("expected {\"version\": N} with N >= 1, optionally with sha256 and uri");
        }
        String sha256 = doc.hasNonNull("sha256") ? doc.get("sha256").asText() : null;
        if (sha256 != null && !sha256.matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException("sha256 must be 64 hex digits, got '" + sha256 + "'");
        }
        return new Request(
                doc.get("version").asLong(),
                sha256,
                doc.hasNonNull("uri") ? doc.get("uri").asText() : null);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(1));
    }
}
