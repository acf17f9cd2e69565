package io.torchstream.internal.text;

import java.io.Serializable;
import java.util.Objects;

/** One text to run through a model, with an optional second segment for sentence-pair models. */
public record TextInput(String text, String textPair) implements Serializable {

    public TextInput {
        Objects.requireNonNull(text, "text");
    }

    public static TextInput of(String text) {
        return new TextInput(text, null);
    }

    public static TextInput pair(String text, String textPair) {
        return new TextInput(text, Objects.requireNonNull(textPair, "textPair"));
    }

    public boolean isPair() {
        return textPair != null;
    }

    /**
     * Whether {@code s} holds a UTF-16 surrogate without its partner: text that no UTF-8 encoder (and so no
     * tokenizer) can take as it is.
     */
    public static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
