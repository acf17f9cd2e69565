package io.torchstream.internal.bundle;

/** How classification logits become scores: one distribution, or independent labels. */
public enum ScoreFunction {
    SOFTMAX,
    SIGMOID;

    static ScoreFunction fromId(String id) {
        return switch (id) {
            case "softmax" -> SOFTMAX;
            case "sigmoid" -> SIGMOID;
            default -> throw new IllegalArgumentException("unknown scores '" + id + "': expected softmax or sigmoid");
        };
    }

    /** Scores for one row of logits ({@code length} values from {@code offset}). */
    public double[] apply(float[] logits, int offset, int length) {
        double[] scores = new double[length];
        if (this == SIGMOID) {
            for (int i = 0; i < length; i++) {
                scores[i] = 1.0 / (1.0 + Math.exp(-logits[offset + i]));
            }
            return scores;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < length; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < length; i++) {
            scores[i] = Math.exp(logits[offset + i] - max);
            sum += scores[i];
        }
        for (int i = 0; i < length; i++) {
            scores[i] /= sum;
        }
        return scores;
    }
}
