package io.torchstream.text;

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

    /** Whether the token at {@code i} is a special token ([CLS], [SEP], &lt;s&gt;...), not from the text. */
    public boolean isSpecial(int i) {
        return starts[i] < 0;
    }
}
