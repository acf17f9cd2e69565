package io.torchstream.internal.text;

import java.util.Arrays;

/**
 * One tokenized row, unpadded: token ids, segment ids, the tokens, and where each came from in the text.
 *
 * @param ids token ids, special tokens included
 * @param typeIds segment (token type) ids
 * @param tokens the tokens as the tokenizer's vocabulary spells them ("##ing", "Ġthe")
 * @param starts each token's first character in the text (code points), -1 for special tokens
 * @param ends each token's end character (exclusive, code points), -1 for special tokens
 * @param truncated whether the text had more tokens than this row holds (and no further window has them)
 */
public record EncodedText(long[] ids, long[] typeIds, String[] tokens, int[] starts, int[] ends, boolean truncated) {

    /** Tokens in this row, special tokens included. */
    public int length() {
        return ids.length;
    }

    /** The first {@code n} tokens (all of them if there are fewer), flagged as truncated if any were cut. */
    public EncodedText head(int n) {
        if (n >= ids.length) {
            return this;
        }
        return new EncodedText(
                Arrays.copyOf(ids, n),
                Arrays.copyOf(typeIds, n),
                Arrays.copyOf(tokens, n),
                Arrays.copyOf(starts, n),
                Arrays.copyOf(ends, n),
                true);
    }

    /** This row with the truncation flag set as given. */
    public EncodedText withTruncated(boolean value) {
        return value == truncated ? this : new EncodedText(ids, typeIds, tokens, starts, ends, value);
    }

    /** Whether the token at {@code i} is a special token ([CLS], [SEP], &lt;s&gt;...), not from the text. */
    public boolean isSpecial(int i) {
        return starts[i] < 0;
    }
}
