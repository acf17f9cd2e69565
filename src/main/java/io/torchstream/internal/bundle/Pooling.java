package io.torchstream.internal.bundle;

import java.io.Serializable;

/** How token vectors become one sentence vector, as sentence-transformers configures it. */
public record Pooling(Mode mode, boolean normalize) implements Serializable {

    /** Which token vectors are pooled. */
    public enum Mode {
        /** The attention-masked mean of the token vectors. */
        MEAN,
        /** The first ([CLS]) token's vector. */
        CLS;

        static Mode fromId(String id) {
            return switch (id) {
                case "mean" -> MEAN;
                case "cls" -> CLS;
                default -> throw new IllegalArgumentException("unknown pooling '" + id + "': expected mean or cls");
            };
        }
    }
}
