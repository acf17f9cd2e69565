package io.torchstream;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What every result has: the element it was computed for, whether its text was cut to the model's
 * length, and the model that computed it. The fields of a Flink POJO, which its subclasses extend.
 *
 * @param <T> the element type
 */
@PublicEvolving
public abstract class ModelResult<T> {

    private T value;
    private boolean truncated;
    private String model;
    private String modelVersion;

    ModelResult() {}

    ModelResult(T value, boolean truncated, String model, String modelVersion) {
        this.value = value;
        this.truncated = truncated;
        this.model = model;
        this.modelVersion = modelVersion;
    }

    /** The fields' types of a subclass's POJO type: these four, then the subclass's own. */
    static Map<String, TypeInformation<?>> fields(TypeInformation<?> valueType) {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("value", valueType);
        fields.put("truncated", Types.BOOLEAN);
        fields.put("model", Types.STRING);
        fields.put("modelVersion", Types.STRING);
        return fields;
    }

    /** @return the element, as it arrived */
    public T getValue() {
        return value;
    }

    public void setValue(T value) {
        this.value = value;
    }

    /** @return whether the text was cut to the model's length before it ran */
    public boolean isTruncated() {
        return truncated;
    }

    public void setTruncated(boolean truncated) {
        this.truncated = truncated;
    }

    /** @return the bundle's model name */
    public String getModel() {
        return model;
    }

    public void setModel(String model) {
        this.model = model;
    }

    /** @return the model's version: the first 12 hex digits of the sha256 of its model.pt */
    public String getModelVersion() {
        return modelVersion;
    }

    public void setModelVersion(String modelVersion) {
        this.modelVersion = modelVersion;
    }

    /** Whether {@code other} has the same element and model. */
    boolean sameAs(ModelResult<?> other) {
        return Objects.equals(value, other.value)
                && truncated == other.truncated
                && Objects.equals(model, other.model)
                && Objects.equals(modelVersion, other.modelVersion);
    }

    int baseHash() {
        return Objects.hash(value, truncated, model, modelVersion);
    }
}
