package io.torchstream.internal.task;

import io.torchstream.internal.text.EncodedText;

/**
 * Per-token label scores (softmax over the logits) of a token-classification model, with the
 * tokenization they belong to.
 *
 * @param encoding the tokens, with their character spans
 * @param scores row-major tokens x labels
 * @param labels number of labels per token
 * @param truncated whether the text was cut to the model's length
 */
public record TokenScores(EncodedText encoding, double[] scores, int labels, boolean truncated) implements Prediction {

    /** The score of {@code label} at token {@code token}. */
    public double score(int token, int label) {
        return scores[token * labels + label];
    }
}
