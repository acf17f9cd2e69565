package io.torchstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.torchstream.flink.OutputRecord;

import org.apache.flink.api.common.accumulators.ListAccumulator;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/** Records each result's latency since its event was created ({@code created_ms}, from the generator). */
final class LatencyProbe extends RichMapFunction<OutputRecord, OutputRecord> {

    private static final long serialVersionUID = 1L;
    static final String ACCUMULATOR = "torchstream.bench.latency-ms";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private transient ListAccumulator<Long> latencies;

    @Override
    public void open(OpenContext context) {
        latencies = new ListAccumulator<>();
        getRuntimeContext().addAccumulator(ACCUMULATOR, latencies);
    }

    @Override
    public OutputRecord map(OutputRecord record) throws Exception {
        JsonNode doc = MAPPER.readTree(record.value());
        latencies.add(System.currentTimeMillis() - doc.get("created_ms").asLong());
        return record;
    }
}
