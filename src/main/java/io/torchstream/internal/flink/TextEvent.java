package io.torchstream.flink;

/**
 * A validated input event on its way to the model.
 *
 * @param id the event id (the configured id field, or the source position when the event has none)
 * @param text the text to run through the model
 * @param textPair the second segment for sentence-pair models, or null
 * @param json the original JSON object, whose fields pass through to the output
 */
public record TextEvent(String id, String text, String textPair, byte[] json) {}
