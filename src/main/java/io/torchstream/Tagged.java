package io.torchstream;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An element and the entities found in its text, in text order. A Flink POJO.
 *
 * @param <T> the element type
 */
@PublicEvolving
public final class Tagged<T> implements ModelResult<T> {

    private T value;
    private List<EntitySpan> entities;
    private boolean truncated;
    private String model;
    private String modelVersion;

    /** For Flink's serializer. */
    public Tagged() {}

    public Tagged(T value, List<EntitySpan> entities, boolean truncated, String model, String modelVersion) {
        this.value = value;
        this.entities = entities;
        this.truncated = truncated;
        this.model = model;
        this.modelVersion = modelVersion;
    }

    /**
     * Flink's type of tagged elements of elements of {@code valueType}: a POJO whose fields Flink serializes
     * natively, never with Kryo.
     *
     * @param valueType the elements' type, such as {@code stream.getType()}
     * @param <T> the element type
     * @return the type, for {@code returns(...)} and for operators that need it
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <T> TypeInformation<Tagged<T>> typeInfo(TypeInformation<T> valueType) {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("value", valueType);
        fields.put("entities", Types.LIST(EntitySpan.typeInfo()));
        fields.put("truncated", Types.BOOLEAN);
        fields.put("model", Types.STRING);
        fields.put("modelVersion", Types.STRING);
        return (TypeInformation) Types.POJO(Tagged.class, fields);
    }

    @Override
    public T getValue() {
        return value;
    }

    public void setValue(T value) {
        this.value = value;
    }

    /** The entities, in text order. */
    public List<EntitySpan> getEntities() {
        return entities;
    }

    public void setEntities(List<EntitySpan> entities) {
        this.entities = entities;
    }

    /** Always false: long texts run as overlapping windows, so every token is tagged. */
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
        return o instanceof Tagged<?> other && Objects.equals(value, other.value) && Objects.equals(entities, other.entities)
                && truncated == other.truncated && Objects.equals(model, other.model) && Objects.equals(modelVersion, other.modelVersion);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value, entities, model, modelVersion);
    }

    @Override
    public String toString() {
        return "Tagged{" + entities + ": " + value + "}";
    }
}
