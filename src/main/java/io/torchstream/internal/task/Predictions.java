package io.torchstream.internal.task;

import java.util.List;

/**
 * The predictions for a list of inputs, in input order, and the forward passes that made them.
 *
 * @param results one prediction per input
 * @param forwards one entry per forward pass
 * @param embeddings when the results are classifications by label descriptions: the embedding each was
 *     made from, else null
 */
public record Predictions(List<Prediction> results, List<ForwardStats> forwards, List<Embedding> embeddings) {

    public Predictions(List<Prediction> results, List<ForwardStats> forwards) {
        this(results, forwards, null);
    }
}
