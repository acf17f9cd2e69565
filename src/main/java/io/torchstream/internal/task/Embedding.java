package io.torchstream.internal.task;

/**
 * A sentence vector: the pooled (and, if the bundle says so, L2-normalised) token vectors.
 *
 * @param vector the embedding
 * @param truncated whether the text was cut to the model's length
 */
public record Embedding(float[] vector, boolean truncated) implements Prediction {}
