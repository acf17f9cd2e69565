package io.torchstream.internal.pii;

import io.torchstream.internal.task.Entity;

import java.util.ArrayList;
import java.util.List;

/** A recognizer's matches in one text, found at char indexes, as entities at code-point offsets. */
final class Matches {

    /** Presidio scores a validated pattern high; a validator's yes is as sure as a pattern gets. */
    static final double VALIDATED = 1.0;

    private final String text;
    private final String label;
    private final String source;
    private final List<Entity> found = new ArrayList<>();

    // Matches come in ascending order, so code points are counted once, from the last match on.
    private int charIndex;
    private int codePointIndex;

    Matches(String text, PatternRecognizer recognizer) {
        this.text = text;
        this.label = recognizer.label();
        this.source = "pattern:" + recognizer.name();
    }

    /** Adds the match {@code text[charStart, charEnd)} (UTF-16 indexes, as {@link java.util.regex} gives). */
    void add(int charStart, int charEnd) {
        int start = codePoint(charStart);
        int end = codePoint(charEnd);
        found.add(new Entity(label, true, VALIDATED, -1, text.substring(charStart, charEnd), start, end, source));
    }

    List<Entity> list() {
        return List.copyOf(found);
    }

    private int codePoint(int index) {
        if (index < charIndex) {
            charIndex = 0;
            codePointIndex = 0;
        }
        codePointIndex += text.codePointCount(charIndex, index);
        charIndex = index;
        return codePointIndex;
    }
}
