package io.torchstream.internal.task;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How per-token predictions become entities: the aggregation strategies of transformers' token-classification pipeline. */
public enum Aggregation {
    /** Every token that is not ignored ("O") is an entity of its own, with its B-/I- label. */
    NONE,
    /** Adjacent tokens of the same type merge (a B- starts a new entity). */
    SIMPLE,
    /** Words take the label of their first token, then merge as SIMPLE. */
    FIRST,
    /** Words take the label of their tokens' averaged scores, then merge as SIMPLE. */
    AVERAGE,
    /** Words take the label of their most confident token, then merge as SIMPLE. */
    MAX;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Aggregation fromId(String id) {
        for (Aggregation a : values()) {
            if (a.id().equals(id)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown aggregation '" + id + "': expected one of "
                + Arrays.stream(values()).map(Aggregation::id).collect(Collectors.joining(", ")));
    }
}
