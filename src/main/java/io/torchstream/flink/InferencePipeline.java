package io.torchstream.flink;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.List;

/**
 * The inference part of a job: parse and validate, micro-batch, infer, unbatch. Every record read
 * leaves as exactly one result or one dead letter.
 */
public final class InferencePipeline {

    private InferencePipeline() {}

    /** What comes out: results, and dead letters with their reasons. */
    public record Streams(DataStream<OutputRecord> results, DataStream<OutputRecord> deadLetters) {}

    /**
     * @param raw records as read
     * @param contract which fields hold id and text, and what is refused
     * @param model how to load the model
     * @param batchSize the most events per micro-batch
     * @param maxWait the longest an event waits for its batch to fill
     */
    public static Streams build(
            DataStream<RawEvent> raw, EventContract contract, ModelSettings model, int batchSize, Duration maxWait) {
        TypeInformation<TextEvent> eventType = TypeInformation.of(TextEvent.class);
        TypeInformation<OutputRecord> recordType = TypeInformation.of(OutputRecord.class);

        SingleOutputStreamOperator<TextEvent> events = raw
                .process(new ParseFunction(contract), eventType)
                .name("parse").uid("torchstream-parse");

        DataStream<OutputRecord> results = events
                .transform("micro-batch", Types.LIST(eventType), new MicroBatchOperator<>(batchSize, maxWait.toMillis()))
                .uid("torchstream-micro-batch")
                .map(new InferenceFunction(model, contract.idField()), Types.LIST(recordType))
                .name("infer").uid("torchstream-infer")
                .flatMap((FlatMapFunction<List<OutputRecord>, OutputRecord>) InferencePipeline::unbatch, recordType)
                .name("unbatch").uid("torchstream-unbatch");

        return new Streams(results, events.getSideOutput(ParseFunction.DEAD_LETTERS));
    }

    private static void unbatch(List<OutputRecord> batch, Collector<OutputRecord> out) {
        for (OutputRecord record : batch) {
            out.collect(record);
        }
    }
}
