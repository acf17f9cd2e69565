package io.torchstream.internal.pii;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** What redaction puts in place of one entity's span of text. */
public sealed interface Operator extends Serializable
        permits Operator.Replace, Operator.Mask, Operator.Hash, Operator.Redact, Operator.Keep {

    /** The names {@link #parse} knows, as configuration spells them. */
    List<String> NAMES = List.of("replace", "mask", "hash", "redact", "keep");

    /** The default operator: the type in angle brackets, such as {@code <EMAIL>}. */
    Replace DEFAULT = new Replace("<{type}>");

    /** The text that stands for {@code value}, the span of an entity of type {@code type}. */
    String apply(String type, String value);

    /** The span replaced by a template, in which {@code {type}} stands for the entity's type. */
    record Replace(String template) implements Operator {

        public Replace {
            Objects.requireNonNull(template, "template");
        }

        @Override
        public String apply(String type, String value) {
            return template.replace("{type}", type);
        }
    }

    /**
     * {@code count} code points of the span, from its start or its end, each replaced by {@code
     * maskChar}; a count beyond the span's length masks it whole.
     */
    record Mask(char maskChar, int count, boolean fromEnd) implements Operator {

        public Mask {
            if (count <= 0) {
                throw new IllegalArgumentException("mask count must be at least 1, got " + count);
            }
            if (Character.isSurrogate(maskChar)) {
                throw new IllegalArgumentException(
                        "mask character must be a whole character, not half a surrogate pair");
            }
        }

        @Override
        public String apply(String type, String value) {
            int[] codePoints = value.codePoints().toArray();
            int masked = Math.min(count, codePoints.length);
            int from = fromEnd ? codePoints.length - masked : 0;
            for (int i = from; i < from + masked; i++) {
                codePoints[i] = maskChar;
            }
            return new String(codePoints, 0, codePoints.length);
        }
    }

    /**
     * The span replaced by the hex SHA-256 of the salt followed by the span (both UTF-8): the same value
     * gives the same pseudonym in every event and every job with the salt, and without the salt a
     * pseudonym cannot be checked against guessed values. The salt is a secret: {@link #toString} hides it.
     */
    record Hash(String salt) implements Operator {

        public Hash {
            if (salt == null || salt.isEmpty()) {
                throw new IllegalArgumentException("hash needs a salt, and it is missing or empty");
            }
        }

        @Override
        public String apply(String type, String value) {
            try {
                MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
                sha256.update(salt.getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(sha256.digest(value.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
        }

        @Override
        public String toString() {
            return "Hash[salt=(hidden)]";
        }
    }

    /** The span removed. */
    record Redact() implements Operator {

        @Override
        public String apply(String type, String value) {
            return "";
        }
    }

    /** The span left as it is; the entity is still reported. */
    record Keep() implements Operator {

        @Override
        public String apply(String type, String value) {
            return value;
        }
    }

    /**
     * What an operator named in configuration is built with; {@link #toString} hides the salt.
     *
     * @param template {@link Replace}'s template
     * @param maskChar {@link Mask}'s character
     * @param maskCount how many code points {@link Mask} masks
     * @param maskFromEnd whether {@link Mask} masks the end rather than the start
     * @param salt {@link Hash}'s salt, or null when there is none
     */
    record Settings(String template, char maskChar, int maskCount, boolean maskFromEnd, String salt) {

        /** The default template, {@code *} masking a whole span from its start, and no salt. */
        public static final Settings DEFAULTS = new Settings(DEFAULT.template(), '*', Integer.MAX_VALUE, false, null);

        /** These settings with {@code salt}. */
        public Settings withSalt(String salt) {
            return new Settings(template, maskChar, maskCount, maskFromEnd, salt);
        }

        @Override
        public String toString() {
            return "Settings[template=" + template + ", maskChar=" + maskChar + ", maskCount=" + maskCount
                    + ", maskFromEnd=" + maskFromEnd + ", salt=" + (salt == null ? "none" : "(hidden)") + "]";
        }
    }

    /**
     * The operator named {@code name} (any case) with {@code settings}.
     *
     * @throws IllegalArgumentException for an unknown name, or settings the operator refuses (a mask
     *     count below 1, a hash without salt)
     */
    public static Operator parse(String name, Settings settings) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "replace" -> new Replace(settings.template());
            case "mask" -> new Mask(settings.maskChar(), settings.maskCount(), settings.maskFromEnd());
            case "hash" -> new Hash(settings.salt());
            case "redact" -> new Redact();
            case "keep" -> new Keep();
            default ->
                throw new IllegalArgumentException(
                        "unknown operator '" + name + "'; known: " + String.join(", ", NAMES));
        };
    }
}
