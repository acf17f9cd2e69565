package io.torchstream;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

import java.util.Map;
import java.util.Objects;

/**
 * An element without a result, and why: its text was null or empty, its text function threw, its text
 * was over the size limit, or the model failed on it alone (a text longer than the model with truncation
 * off, a text the tokenizer or the model throws on). A Flink POJO.
 *
 * @param <T> the element type
 */
@PublicEvolving
public final class DeadLetter<T> {

    private T value;
    private String reason;

    /** For Flink's serializer. */
    public DeadLetter() {}

    public DeadLetter(T value, String reason) {
        this.value = value;
        this.reason = reason;
    }

    /**
     * Flink's type of dead letters of elements of {@code valueType}: a POJO whose fields Flink serializes
     * natively, never with Kryo.
     *
     * @param valueType the elements' type, such as {@code stream.getType()}
     * @param <T> the element type
     * @return the type, for {@code returns(...)} and for operators that need it
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <T> TypeInformation<DeadLetter<T>> typeInfo(TypeInformation<T> valueType) {
        return (TypeInformation) Types.POJO(DeadLetter.class, Map.of("value", valueType, "reason", Types.STRING));
    }

    /** The element, as it arrived. */
    public T getValue() {
        return value;
    }

    public void setValue(T value) {
        this.value = value;
    }

    /** Why it was refused, in words. */
    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeadLetter<?> other
                && Objects.equals(value, other.value)
                && Objects.equals(reason, other.reason);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value, reason);
    }

    @Override
    public String toString() {
        return "DeadLetter{" + reason + ": " + value + "}";
    }
}
