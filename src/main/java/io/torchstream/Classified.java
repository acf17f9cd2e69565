package io.torchstream;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
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
public final class Classified<T> implements ModelResult<T> {

    private T value;
    private String label;
    private double score;
    private String[] labels;
    private double[] scores;
    private boolean truncated;
    private String model;
    private String modelVersion;

    /** For Flink's serializer. */
    public Classified() {}

    public Classified(T value, String label, double score, String[] labels, double[] scores, boolean truncated, String model,
            String modelVersion) {
        this.value = value;
        this.label = label;
        this.score = score;
        this.labels = labels;
        this.scores = scores;
        this.truncated = truncated;
        this.model = model;
        this.modelVersion = modelVersion;
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
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("value", valueType);
        fields.put("label", Types.STRING);
        fields.put("score", Types.DOUBLE);
        fields.put("labels", Types.OBJECT_ARRAY(Types.STRING));
        fields.put("scores", Types.PRIMITIVE_ARRAY(Types.DOUBLE));
        fields.put("truncated", Types.BOOLEAN);
        fields.put("model", Types.STRING);
        fields.put("modelVersion", Types.STRING);
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

    @Override
    public T getValue() {
        return value;
    }

    public void setValue(T value) {
        this.value = value;
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
    public boolean isTruncated() {
        return truncated;
    }

    public void setTruncated(boolean truncated) {
        this.truncated = truncated;
    }

    @Override
    public String getModel() {
        return model;
    }

    public void setModel(String model) {
        this.model = model;
    }

    @Override
    public String getModelVersion() {
        return modelVersion;
    }

    public void setModelVersion(String modelVersion) {
        this.modelVersion = modelVersion;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Classified<?> other && Objects.equals(value, other.value) && Objects.equals(label, other.label)
                && score == other.score && Arrays.equals(labels, other.labels) && Arrays.equals(scores, other.scores)
                && truncated == other.truncated && Objects.equals(model, other.model) && Objects.equals(modelVersion, other.modelVersion);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value, label, score, model, modelVersion);
    }

    @Override
    public String toString() {
        return "Classified{" + label + " " + score + ": " + value + "}";
    }
}
