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
}
