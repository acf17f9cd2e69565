package io.torchstream;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An element and the entities found in its text, in text order. A Flink POJO.
 *
 * @param <T> the element type
 */
@PublicEvolving
public final class Tagged<T> extends ModelResult<T> {

    private List<EntitySpan> entities;
    private String redacted;

    /** For Flink's serializer. */
    public Tagged() {}

    public Tagged(T value, List<EntitySpan> entities, boolean truncated, String model, String modelVersion) {
        this(value, entities, null, truncated, model, modelVersion);
    }

    public Tagged(
            T value, List<EntitySpan> entities, String redacted, boolean truncated, String model, String modelVersion) {
        super(value, truncated, model, modelVersion);
        this.entities = entities;
        this.redacted = redacted;
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
        Map<String, TypeInformation<?>> fields = fields(valueType);
        fields.put("entities", Types.LIST(EntitySpan.typeInfo()));
        fields.put("redacted", Types.STRING);
        return (TypeInformation) Types.POJO(Tagged.class, fields);
    }

    /** The entities, in text order. */
    public List<EntitySpan> getEntities() {
        return entities;
    }

    public void setEntities(List<EntitySpan> entities) {
        this.entities = entities;
    }

    /**
     * The text with its entities redacted, each as its type's operator says (by default {@code <TYPE>}), when
     * the model spec redacts ({@link ModelSpec#redact()}); else null.
     */
    public String getRedacted() {
        return redacted;
    }

    public void setRedacted(String redacted) {
        this.redacted = redacted;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tagged<?> other
                && sameAs(other)
                && Objects.equals(entities, other.entities)
                && Objects.equals(redacted, other.redacted);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * baseHash() + Objects.hashCode(entities)) + Objects.hashCode(redacted);
    }

    @Override
    public String toString() {
        if (redacted == null) {
            return "Tagged{" + entities + ": " + getValue() + "}";
        }
        // The value and the entities' words are the original text: a redacting job's logs must not show them.
        StringBuilder shown = new StringBuilder("Tagged{[");
        for (int i = 0; entities != null && i < entities.size(); i++) {
            EntitySpan e = entities.get(i);
            shown.append(i == 0 ? "" : ", ")
                    .append(e.getLabel())
                    .append('[')
                    .append(e.getStart())
                    .append(',')
                    .append(e.getEnd())
                    .append(") ")
                    .append(e.getSource());
        }
        return shown.append("]: ").append(redacted).append('}').toString();
    }
}
