package io.torchstream.internal.task;

import java.util.List;

/**
 * The entities found in one text, in text order.
 *
 * @param entities the entities
 * @param truncated always false: long texts run as overlapping windows, so every token is tagged
 * @param redacted the text with its entities redacted, or null when redaction is off
 */
public record Entities(List<Entity> entities, boolean truncated, String redacted) implements Prediction {

    /** Entities as the model found them, without redaction. */
    public Entities(List<Entity> entities, boolean truncated) {
        this(entities, truncated, null);
    }
}
