package io.torchstream.internal.task;

import io.torchstream.internal.bundle.TraceShape;

/**
 * What one forward pass cost.
 *
 * @param shape the padded shape it ran at
 * @param rows real rows in it
 * @param realTokens tokens of text (special tokens included) in it
 * @param nanos wall time of the forward pass, copying the output included
 */
public record ForwardStats(TraceShape shape, int rows, long realTokens, long nanos) {

    /** Padding tokens over all tokens computed, 0..1. */
    public double paddingRatio() {
        return 1.0 - (double) realTokens / shape.tokens();
    }
}
