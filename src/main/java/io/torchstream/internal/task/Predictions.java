package io.torchstream.task;

import java.util.List;

/**
 * The predictions for a list of inputs, in input order, and the forward passes that made them.
 *
 * @param results one prediction per input
 * @param forwards one entry per forward pass
 */
public record Predictions(List<Prediction> results, List<ForwardStats> forwards) {}
