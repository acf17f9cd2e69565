package io.torchstream.internal.flink;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.accumulators.LongMinimum;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Validates raw records: good ones go on to the model, the rest to the dead-letter side output. */
public class ParseFunction extends ProcessFunction<RawEvent, TextEvent> {

    private static final long serialVersionUID = 1L;

    /** The side output of refused records. */
    public static final OutputTag<OutputRecord> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private final EventContract contract;
    private final String omitOriginalBecause;

    private transient EventParser parser;
    private transient Counter eventsIn;
    private transient Counter deadLetters;
    private transient LongCounter eventsInTotal;
    private transient LongCounter deadLettersTotal;
    private transient LongMinimum firstEvent;

    public ParseFunction(EventContract contract) {
        this(contract, null);
    }

    /**
     * @param omitOriginalBecause why dead letters leave out the original record, or null to include it
     */
    public ParseFunction(EventContract contract, String omitOriginalBecause) {
        this.contract = contract;
        this.omitOriginalBecause = omitOriginalBecause;
    }

    @Override
    public void open(OpenContext openContext) {
        parser = new EventParser(contract);
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup(TorchstreamMetrics.GROUP);
        eventsIn = group.counter(TorchstreamMetrics.EVENTS_IN);
        deadLetters = group.counter(TorchstreamMetrics.DEAD_LETTERS);
        eventsInTotal = getRuntimeContext()
                .getLongCounter(TorchstreamMetrics.ACCUMULATOR_PREFIX + TorchstreamMetrics.EVENTS_IN);
        deadLettersTotal = getRuntimeContext()
                .getLongCounter(TorchstreamMetrics.ACCUMULATOR_PREFIX + TorchstreamMetrics.DEAD_LETTERS);
        firstEvent = TorchstreamMetrics.accumulator(
                getRuntimeContext(), TorchstreamMetrics.FIRST_EVENT_MILLIS, LongMinimum::new);
    }

    @Override
    public void processElement(RawEvent raw, Context ctx, Collector<TextEvent> out) {
        if (eventsIn.getCount() == 0) {
            firstEvent.add(System.currentTimeMillis());
        }
        eventsIn.inc();
        eventsInTotal.add(1L);
        EventParser.Result result = parser.parse(raw);
        if (result.isOk()) {
            out.collect(result.event());
        } else {
            deadLetters.inc();
            deadLettersTotal.add(1L);
            ctx.output(DEAD_LETTERS, DeadLetters.of(raw, result.reason(), omitOriginalBecause));
        }
    }
}
