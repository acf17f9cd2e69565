package io.torchstream.internal.pii;

import io.torchstream.internal.task.Entity;

import java.util.List;

/**
 * One text's redaction.
 *
 * @param text the text with the operators applied
 * @param entities the entities redacted (or kept by {@link Operator.Keep}), sorted by start, with their
 *     source; offsets and {@code word} are of the original text, so {@code word} is the personal data
 *     itself and must not be emitted where the redacted text is
 */
public record PiiResult(String text, List<Entity> entities) {

    public PiiResult {
        entities = List.copyOf(entities);
    }
}
