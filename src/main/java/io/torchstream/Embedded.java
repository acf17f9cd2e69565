package io.torchstream;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

import java.util.Arrays;
import java.util.Map;

/**
 * An element and its sentence vector: the pooled (and, where the bundle says so, L2-normalised) token
 * vectors. A Flink POJO.
 *
 * @param <T> the element type
 */
@PublicEvolving
public final class Embedded<T> extends ModelResult<T> {

    private float[] vector;

    /** For Flink's serializer. */
    public Embedded() {}

    public Embedded(T value, float[] vector, boolean truncated, String model, String modelVersion) {
        super(value, truncated, model, modelVersion);
        this.vector = vector;
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
        Map<String, TypeInformation<?>> fields = fields(valueType);
        fields.put("vector", Types.PRIMITIVE_ARRAY(Types.FLOAT));
        return (TypeInformation) Types.POJO(Embedded.class, fields);
    }

    /** The sentence vector. */
    public float[] getVector() {
        return vector;
    }

    public void setVector(float[] vector) {
        this.vector = vector;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Embedded<?> other && sameAs(other) && Arrays.equals(vector, other.vector);
    }

    @Override
    public int hashCode() {
        return 31 * baseHash() + Arrays.hashCode(vector);
    }

    @Override
    public String toString() {
        return "Embedded{" + vector.length + " floats: " + getValue() + "}";
    }
}
