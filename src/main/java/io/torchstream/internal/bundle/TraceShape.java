package io.torchstream.internal.bundle;

import java.io.Serializable;

/** A (batch, sequence length) input shape the model was traced or verified at. */
public record TraceShape(int batch, int seqLen) implements Serializable, Comparable<TraceShape> {

    public TraceShape {
        if (batch < 1 || seqLen < 1) {
            throw new IllegalArgumentException("shape must be positive, got " + batch + "x" + seqLen);
        }
    }

    /** Tokens computed per forward pass at this shape, padding included. */
    public long tokens() {
        return (long) batch * seqLen;
    }

    @Override
    public int compareTo(TraceShape other) {
        int byTokens = Long.compare(tokens(), other.tokens());
        return byTokens != 0 ? byTokens : Integer.compare(seqLen, other.seqLen);
    }

    @Override
    public String toString() {
        return batch + "x" + seqLen;
    }
}
