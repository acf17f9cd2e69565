package io.torchstream.internal.flink;

/**
 * A record as it arrived, before any parsing: its bytes and where it came from.
 *
 * @param key the Kafka key, or null
 * @param value the record bytes (a JSON object when well-formed), or null for a Kafka tombstone
 * @param source the Kafka topic or the file path
 * @param partition the Kafka partition, or -1 for files
 * @param offset the Kafka offset, or the 1-based line number in a file
 */
public record RawEvent(byte[] key, byte[] value, String source, int partition, long offset) {

    /** Where this record came from, as a short readable id: {@code topic-partition@offset} or {@code file:line}. */
    public String position() {
        return partition >= 0 ? source + "-" + partition + "@" + offset : source + ":" + offset;
    }
}
