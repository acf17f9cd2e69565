package io.torchstream;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An element and its sentence vector: the pooled (and, where the bundle says so, L2-normalised) token
 * vectors. A Flink POJO.
 *
 * @param <T> the element type
 */
@PublicEvolving
public final class Embedded<T> implements ModelResult<T> {

    private T value;
    private float[] vector;
    private boolean truncated;
    private String model;
    private String modelVersion;

    /** For Flink's serializer. */
    public Embedded() {}

    public Embedded(T value, float[] vector, boolean truncated, String model, String modelVersion) {
        this.value = value;
        this.vector = vector;
        this.truncated = truncated;
        this.model = model;
        this.modelVersion = modelVersion;
    }

    /**
     * Flink's type of embeddings of elements of {@code valueType}: a POJO whose fields Flink serializes
     * natively, never with Kryo.
     *
     * @param valueType the elements' type, such as {@code stream.getType()}
     * @param <T> the element type
     * @return the type, for {@code returns(...)} and for operators that need it
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <T> TypeInformation<Embedded<T>> typeInfo(TypeInformation<T> valueType) {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("value", valueType);
        fields.put("vector", Types.PRIMITIVE_ARRAY(Types.FLOAT));
        fields.put("truncated", Types.BOOLEAN);
        fields.put("model", Types.STRING);
        fields.put("modelVersion", Types.STRING);
        return (TypeInformation) Types.POJO(Embedded.class, fields);
    }

    @Override
    public T getValue() {
        return value;
    }

    public void setValue(T value) {
        this.value = value;
    }

    /** The sentence vector. */
    public float[] getVector() {
        return vector;
    }

    public void setVector(float[] vector) {
        this.vector = vector;
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
        return o instanceof Embedded<?> other && Objects.equals(value, other.value) && Arrays.equals(vector, other.vector)
                && truncated == other.truncated && Objects.equals(model, other.model) && Objects.equals(modelVersion, other.modelVersion);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value, Arrays.hashCode(vector), model, modelVersion);
    }

    @Override
    public String toString() {
        return "Embedded{" + vector.length + " floats: " + value + "}";
    }
}
