package io.torchstream.internal.flink;

import org.apache.flink.api.common.accumulators.Accumulator;

import java.util.TreeMap;

/** A job-wide count of results per label (a Flink accumulator), for the summary of a finished job. */
public final class LabelCounts implements Accumulator<String, TreeMap<String, Long>> {

    private static final long serialVersionUID = 1L;

    private TreeMap<String, Long> counts = new TreeMap<>();

    @Override
    public void add(String label) {
        counts.merge(label, 1L, Long::sum);
    }

    @Override
    public TreeMap<String, Long> getLocalValue() {
        return counts;
    }

    @Override
    public void resetLocal() {
        counts = new TreeMap<>();
    }

    @Override
    public void merge(Accumulator<String, TreeMap<String, Long>> other) {
        other.getLocalValue().forEach((label, n) -> counts.merge(label, n, Long::sum));
    }

    @Override
    public LabelCounts clone() {
        LabelCounts copy = new LabelCounts();
        copy.counts = new TreeMap<>(counts);
        return copy;
    }
}
