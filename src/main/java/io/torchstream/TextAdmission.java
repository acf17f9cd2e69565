package io.torchstream;

import io.torchstream.internal.text.TextInput;

import java.io.Serializable;

/**
 * What an element must give to be run: a text (and a second one for sentence-pair bundles) from its
 * functions, not null, not empty unless allowed, not over the limit. Anything else is refused with a
 * reason for its dead letter.
 */
final class TextAdmission<T> implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Why an element was refused. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    private final TextFunction<T> text;
    private final TextFunction<T> textPair;
    private final boolean allowEmpty;
    private final int maxChars;

    TextAdmission(TextFunction<T> text, TextFunction<T> textPair, boolean allowEmpty, int maxChars) {
        this.text = text;
        this.textPair = textPair;
        this.allowEmpty = allowEmpty;
        this.maxChars = maxChars;
    }

    TextInput admit(T value) throws Refused {
        String first = read(text, value, "text");
        if (textPair == null) {
            return TextInput.of(first);
        }
        return TextInput.pair(first, read(textPair, value, "text pair"));
    }

    private String read(TextFunction<T> function, T value, String what) throws Refused {
        String read;
        try {
            read = function.text(value);
        } catch (Exception e) {
            throw new Refused("the " + what + " function threw " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        if (read == null) {
            throw new Refused("null " + what);
        }
        if (!allowEmpty && read.isBlank()) {
            throw new Refused("empty " + what);
        }
        if (TextInput.hasUnpairedSurrogate(read)) {
            throw new Refused("the " + what + " contains an unpaired UTF-16 surrogate");
        }
        if (read.length() > maxChars) {
            throw new Refused(what + " of " + read.length() + " characters is over the limit of " + maxChars);
        }
        return read;
    }
}
