package io.torchstream.internal.runtime;

import io.torchstream.internal.bundle.TraceShape;
import io.torchstream.internal.text.EncodedText;

import java.util.Arrays;
import java.util.List;

/**
 * Rows padded to a fixed (batch, sequence) shape, as row-major arrays ready for the model. Rows past
 * the real ones are padding: their results are dropped after the forward pass.
 */
public final class PaddedBatch {

    private final TraceShape shape;
    private final int rows;
    private final long[] inputIds;
    private final long[] attentionMask;
    private final long[] tokenTypeIds;
    private final long realTokens;

    private PaddedBatch(
            TraceShape shape, int rows, long[] inputIds, long[] attentionMask, long[] tokenTypeIds, long realTokens) {
        this.shape = shape;
        this.rows = rows;
        this.inputIds = inputIds;
        this.attentionMask = attentionMask;
        this.tokenTypeIds = tokenTypeIds;
        this.realTokens = realTokens;
    }

    /**
     * Pads {@code rows} to {@code shape}: each row to the sequence length with the pad token and a zero
     * attention mask, then the batch with rows of padding.
     */
    public static PaddedBatch of(List<EncodedText> rows, TraceShape shape, long padTokenId, long padTokenTypeId) {
        if (rows.isEmpty() || rows.size() > shape.batch()) {
            throw new IllegalArgumentException(rows.size() + " rows do not fit shape " + shape);
        }
        int seqLen = shape.seqLen();
        int size = shape.batch() * seqLen;
        long[] ids = new long[size];
        long[] mask = new long[size];
        long[] types = new long[size];
        Arrays.fill(ids, padTokenId);
        Arrays.fill(types, padTokenTypeId);
        long real = 0;
        for (int r = 0; r < rows.size(); r++) {
            EncodedText row = rows.get(r);
            int n = row.length();
            if (n > seqLen) {
                throw new IllegalArgumentException("row of " + n + " tokens does not fit shape " + shape);
            }
            System.arraycopy(row.ids(), 0, ids, r * seqLen, n);
            System.arraycopy(row.typeIds(), 0, types, r * seqLen, n);
            Arrays.fill(mask, r * seqLen, r * seqLen + n, 1L);
            real += n;
        }
        // Filler rows attend to their first token only: a row with no attended token at all can turn
        // into NaN in some attention kernels, and NaNs are not something to compute even if discarded.
        for (int r = rows.size(); r < shape.batch(); r++) {
            mask[r * seqLen] = 1L;
        }
        return new PaddedBatch(shape, rows.size(), ids, mask, types, real);
    }

    public TraceShape shape() {
        return shape;
    }

    /** How many leading rows are real. */
    public int rows() {
        return rows;
    }

    public long[] inputIds() {
        return inputIds;
    }

    public long[] attentionMask() {
        return attentionMask;
    }

    public long[] tokenTypeIds() {
        return tokenTypeIds;
    }

    /** Tokens of real text (special tokens included) in this batch. */
    public long realTokens() {
        return realTokens;
    }

    /** The share of computed tokens that are padding, 0..1. */
    public double paddingRatio() {
        return 1.0 - (double) realTokens / shape.tokens();
    }

    /** The named model input, as the exporter names it. */
    public long[] input(String name) {
        return switch (name) {
            case "input_ids" -> inputIds;
            case "attention_mask" -> attentionMask;
            case "token_type_ids" -> tokenTypeIds;
            default -> throw new IllegalArgumentException("unknown model input " + name);
        };
    }
}
