package io.torchstream.internal.task;

import java.util.Collections;
import java.util.List;

/**
 * The predictions for a list of inputs, in input order, and the forward passes that made them.
 *
 * @param results one prediction per input; null for an input that failed
 * @param forwards one entry per forward pass
 * @param embeddings when the results are classifications by label descriptions: the embedding each was
 *     made from, else null
 * @param errors why each input failed, null for those that did not; null when none failed
 */
public record Predictions(
        List<Prediction> results, List<ForwardStats> forwards, List<Embedding> embeddings, List<String> errors) {

    public Predictions(List<Prediction> results, List<ForwardStats> forwards) {
        this(results, forwards, null, null);
    }

    public Predictions(List<Prediction> results, List<ForwardStats> forwards, List<Embedding> embeddings) {
        this(results, forwards, embeddings, null);
    }

    /** Why input {@code i} failed, or null if it has a prediction. */
    public String error(int i) {
        return errors == null ? null : errors.get(i);
    }

    /** The embedding classification {@code i} was made from, or null. */
    public Embedding embedding(int i) {
        return embeddings == null ? null : embeddings.get(i);
    }

    /** How many inputs failed. */
    public int failures() {
        return errors == null ? 0 : (int) errors.stream().filter(e -> e != null).count();
    }

    /** No predictions at all. */
    public static Predictions none() {
        return new Predictions(Collections.emptyList(), Collections.emptyList());
    }
}
