package io.torchstream.internal.flink;

import java.nio.charset.StandardCharsets;

/**
 * A record leaving the job, to Kafka, a file or stdout: a result or a dead letter.
 *
 * @param key the Kafka key (the event id), or null
 * @param value the JSON document
 */
public record OutputRecord(byte[] key, byte[] value) {

    public static OutputRecord of(String key, byte[] value) {
        return new OutputRecord(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
    }

    /** The value as text (JSON is UTF-8). */
    public String valueAsString() {
        return new String(value, StandardCharsets.UTF_8);
    }
}
