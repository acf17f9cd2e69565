package io.torchstream;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An element and its classification: the best label and its score, and every label's score in the
 * model's label order, as the HF text-classification pipeline reports them. A Flink POJO.
 *
 * @param <T> the element type
 */
@PublicEvolving
public final class Classified<T> extends ModelResult<T> {

    private String label;
    private double score;
    private String[] labels;
    private double[] scores;

    /** For Flink's serializer. */
    public Classified() {}

    public Classified(
            T value,
            String label,
            double score,
            String[] labels,
            double[] scores,
            boolean truncated,
            String model,
            String modelVersion) {
        super(value, truncated, model, modelVersion);
        this.label = label;
        this.score = score;
        this.labels = labels;
        this.scores = scores;
    }

    /**
     * Flink's type of classifications of elements of {@code valueType}: a POJO whose fields Flink serializes
     * natively, never with Kryo.
     *
     * @param valueType the elements' type, such as {@code stream.getType()}
     * @param <T> the element type
     * @return the type, for {@code returns(...)} and for operators that need it
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <T> TypeInformation<Classified<T>> typeInfo(TypeInformation<T> valueType) {
        Map<String, TypeInformation<?>> fields = fields(valueType);
        fields.put("label", Types.STRING);
        fields.put("score", Types.DOUBLE);
        fields.put("labels", Types.OBJECT_ARRAY(Types.STRING));
        fields.put("scores", Types.PRIMITIVE_ARRAY(Types.DOUBLE));
        return (TypeInformation) Types.POJO(Classified.class, fields);
    }

    /** Every label's score, in the model's label order. */
    public Map<String, Double> scoresByLabel() {
        Map<String, Double> byLabel = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i++) {
            byLabel.put(labels[i], scores[i]);
        }
        return Collections.unmodifiableMap(byLabel);
    }

    /** The highest-scoring label. */
    public String getLabel() {
        return label;
    }

    public void setLabel(String label) {
        this.label = label;
    }

    /** The score of {@link #getLabel()}, 0..1. */
    public double getScore() {
        return score;
    }

    public void setScore(double score) {
        this.score = score;
    }

    /** The model's labels, in its order; {@link #getScores()} holds their scores. */
    public String[] getLabels() {
        return labels;
    }

    public void setLabels(String[] labels) {
        this.labels = labels;
    }

    /** The score of each of {@link #getLabels()}. */
    public double[] getScores() {
        return scores;
    }

    public void setScores(double[] scores) {
        this.scores = scores;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Classified<?> other
                && sameAs(other)
                && Objects.equals(label, other.label)
                && score == other.score
                && Arrays.equals(labels, other.labels)
                && Arrays.equals(scores, other.scores);
    }

    @Override
    public int hashCode() {
        return 31 * baseHash() + Objects.hash(label, score);
    }

    @Override
    public String toString() {
        return "Classified{" + label + " " + score + ": " + getValue() + "}";
    }
}
