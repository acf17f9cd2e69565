package io.torchstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.torchstream.internal.flink.OutputRecord;

import org.apache.flink.api.common.accumulators.ListAccumulator;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Records each result's latency since its event was created ({@code created_ms}, from the generator),
 * leaving out the events generated while the job was starting: the generator emits those in a burst.
 */
final class LatencyProbe extends RichMapFunction<OutputRecord, OutputRecord> {

    private static final long serialVersionUID = 1L;
    static final String ACCUMULATOR = "torchstream.bench.latency-ms";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final long skipEvents;
    private transient ListAccumulator<Long> latencies;

    /** @param skipEvents events g0..g(skipEvents-1) are not recorded */
    LatencyProbe(long skipEvents) {
        this.skipEvents = skipEvents;
    }

    @Override
    public void open(OpenContext context) {
        latencies = new ListAccumulator<>();
        getRuntimeContext().addAccumulator(ACCUMULATOR, latencies);
    }

    @Override
    public OutputRecord map(OutputRecord record) throws Exception {
        JsonNode doc = MAPPER.readTree(record.value());
        if (Long.parseLong(doc.get("id").asText().substring(1)) >= skipEvents) {
            latencies.add(System.currentTimeMillis() - doc.get("created_ms").asLong());
        }
        return record;
    }
}
