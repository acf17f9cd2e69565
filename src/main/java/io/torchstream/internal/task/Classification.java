package io.torchstream.internal.task;

import java.util.Map;

/**
 * A sequence classification, as the HF text-classification pipeline reports it.
 *
 * @param label the highest-scoring label
 * @param score its score
 * @param scores every label's score, in the model's label order
 * @param truncated whether the text was cut to the model's length
 */
public record Classification(String label, double score, Map<String, Double> scores, boolean truncated)
        implements Prediction {}
