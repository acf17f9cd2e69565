package io.torchstream.internal.flink;

/**
 * A validated input event on its way to the model.
 *
 * @param id the event id (the configured id field, or the source position when the event has none)
 * @param text the text to run through the model
 * @param textPair the second segment for sentence-pair models, or null
 * @param raw the record as it arrived: its JSON object, whose fields pass through to the output, and
 *     where it came from, for a dead letter
 */
public record TextEvent(String id, String text, String textPair, RawEvent raw) {

    /** The original JSON object. */
    public byte[] json() {
        return raw.value();
    }
}
