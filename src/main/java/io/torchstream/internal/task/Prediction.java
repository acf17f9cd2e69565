package io.torchstream.internal.task;

/** A model's decoded result for one input text. */
public sealed interface Prediction permits Classification, TokenScores, Embedding, Entities {

    /** Whether the text was cut to the model's length before it ran. */
    boolean truncated();
}
