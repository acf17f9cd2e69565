package io.torchstream.internal.flink;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Kafka (de)serialization that never fails: bytes in with their coordinates, bytes out. */
public final class KafkaRecords {

    private KafkaRecords() {}

    /** Every Kafka record becomes a {@link RawEvent}, tombstones included: parsing judges them. */
    public static KafkaRecordDeserializationSchema<RawEvent> rawEvents() {
        return new KafkaRecordDeserializationSchema<>() {
            private static final long serialVersionUID = 1L;

            @Override
            public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawEvent> out) {
                out.collect(new RawEvent(
                        record.key(), record.value(), record.topic(), record.partition(), record.offset()));
            }

            @Override
            public TypeInformation<RawEvent> getProducedType() {
                return TypeInformation.of(RawEvent.class);
            }
        };
    }

    /** Writes each record to {@code topic}, keyed by the event id. */
    public static KafkaRecordSerializationSchema<OutputRecord> to(String topic) {
        return (KafkaRecordSerializationSchema<OutputRecord>) (element, context, timestamp) ->
                new ProducerRecord<>(topic, null, timestamp, element.key(), element.value());
    }
}
