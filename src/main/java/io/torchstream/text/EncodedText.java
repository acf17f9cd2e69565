package io.torchstream.text;

import java.util.Arrays;

/**
 * One tokenized row, unpadded: token ids, segment ids, and where each token came from in the text.
 *
 * @param ids token ids, special tokens included
 * @param typeIds segment (token type) ids
 * @param wordIds the index of the word each token belongs to, -1 for special tokens
 * @param starts each token's first character in the text (code points), -1 for special tokens
 * @param ends each token's end character (exclusive, code points), -1 for special tokens
 * @param truncated whether the text had more tokens than the model's length
 */
public record EncodedText(long[] ids, long[] typeIds, long[] wordIds, int[] starts, int[] ends, boolean truncated) {

    /** Tokens in this row, special tokens included. */
    public int length() {
        return ids.length;
    }

    /** The first {@code n} tokens (all of them if there are fewer), flagged as truncated if any were cut. */
    public EncodedText head(int n) {
        if (n >= ids.length) {
            return this;
        }
        return new EncodedText(Arrays.copyOf(ids, n), Arrays.copyOf(typeIds, n), Arrays.copyOf(wordIds, n),
                Arrays.copyOf(starts, n), Arrays.copyOf(ends, n), true);
    }

    /** Whether the token at {@code i} is a special token ([CLS], [SEP], &lt;s&gt;...), not from the text. */
    public boolean isSpecial(int i) {
        return starts[i] < 0;
    }
}
