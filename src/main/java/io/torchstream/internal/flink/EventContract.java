package io.torchstream.internal.flink;

import java.io.Serializable;

/**
 * What an input event must look like: which JSON fields hold the id and the text, and which events are
 * refused.
 *
 * @param idField the field with the event id (string or number); optional in events
 * @param textField the field with the text (a string)
 * @param textPairField the field with the second segment for sentence-pair models
 * @param requirePair whether every event must carry the second segment (pair models)
 * @param maxBytes larger records are dead letters
 * @param emptyText what an empty or blank text gets
 */
public record EventContract(
        String idField, String textField, String textPairField, boolean requirePair, int maxBytes, EmptyText emptyText)
        implements Serializable {

    /** What an empty (or whitespace-only) text gets. */
    public enum EmptyText {
        /** A dead letter with the reason "empty text". */
        DEAD_LETTER,
        /** A prediction like any other text (the model sees only its special tokens). */
        PREDICT
    }

    public static EventContract defaults() {
        return new EventContract("id", "text", "text_pair", false, 1 << 20, EmptyText.DEAD_LETTER);
    }
}
