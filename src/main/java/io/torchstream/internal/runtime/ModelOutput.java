package io.torchstream.internal.runtime;

import java.util.Arrays;

/**
 * The model's first output, copied out of native memory: row-major floats and their shape, whose
 * first dimension is the batch.
 */
public record ModelOutput(float[] data, long[] shape) {

    /** Floats per batch row (the product of all but the first dimension). */
    public int rowSize() {
        long size = 1;
        for (int i = 1; i < shape.length; i++) {
            size *= shape[i];
        }
        return Math.toIntExact(size);
    }

    /** Where row {@code r} starts in {@link #data()}. */
    public int rowOffset(int r) {
        return r * rowSize();
    }

    @Override
    public String toString() {
        return "ModelOutput" + Arrays.toString(shape);
    }
}
