package io.torchstream.internal.flink;

/**
 * A record as it arrived, before any parsing: its bytes and where it came from.
 *
 * @param key the Kafka key, or null
 * @param value the record bytes (a JSON object when well-formed), or null for a Kafka tombstone
 * @param source the Kafka topic or the file path, or null where the record's origin is not known here
 * @param partition the Kafka partition, or -1 for files
 * @param offset the Kafka offset, or the 1-based line number in a file
 */
public record RawEvent(byte[] key, byte[] value, String source, int partition, long offset) {

    /** Bytes whose origin is not known here, such as a SQL column's. */
    public static RawEvent of(byte[] value) {
        return new RawEvent(null, value, null, -1, -1);
    }

    /**
     * Where this record came from, as a short readable id: {@code topic-partition@offset} or {@code
     * file:line}; null when the origin is not known.
     */
    public String position() {
        if (source == null) {
            return null;
        }
        return partition >= 0 ? source + "-" + partition + "@" + offset : source + ":" + offset;
    }
}
