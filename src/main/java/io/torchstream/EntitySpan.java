package io.torchstream;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A tagged span of text, with the fields of transformers' token-classification pipeline. A Flink POJO.
 */
@PublicEvolving
public final class EntitySpan {

    private String label;
    private boolean grouped;
    private double score;
    private int index;
    private String word;
    private int start;
    private int end;
    private String source;

    /** For Flink's serializer. */
    public EntitySpan() {}

    public EntitySpan(String label, boolean grouped, double score, int index, String word, int start, int end) {
        this(label, grouped, score, index, word, start, end, "model");
    }

    public EntitySpan(
            String label, boolean grouped, double score, int index, String word, int start, int end, String source) {
        this.source = source;
        this.label = label;
        this.grouped = grouped;
        this.score = score;
        this.index = index;
        this.word = word;
        this.start = start;
        this.end = end;
    }

    /**
     * Flink's type of entity spans: a POJO.
     *
     * @return the type
     */
    public static TypeInformation<EntitySpan> typeInfo() {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("label", Types.STRING);
        fields.put("grouped", Types.BOOLEAN);
        fields.put("score", Types.DOUBLE);
        fields.put("index", Types.INT);
        fields.put("word", Types.STRING);
        fields.put("start", Types.INT);
        fields.put("end", Types.INT);
        fields.put("source", Types.STRING);
        return Types.POJO(EntitySpan.class, fields);
    }

    /**
     * The entity type ({@code entity_group}, such as PER) when {@link #isGrouped()}, else the token's own
     * label ({@code entity}, such as B-PER).
     */
    public String getLabel() {
        return label;
    }

    public void setLabel(String label) {
        this.label = label;
    }

    /** Whether the label is an entity group: every aggregation strategy but none. */
    public boolean isGrouped() {
        return grouped;
    }

    public void setGrouped(boolean grouped) {
        this.grouped = grouped;
    }

    /** The (averaged) probability of the label. */
    public double getScore() {
        return score;
    }

    public void setScore(double score) {
        this.score = score;
    }

    /** The token's position in its window when not aggregated, else -1. */
    public int getIndex() {
        return index;
    }

    public void setIndex(int index) {
        this.index = index;
    }

    /** The text the entity spans: the text's code points from {@link #getStart()} to {@link #getEnd()}. */
    public String getWord() {
        return word;
    }

    public void setWord(String word) {
        this.word = word;
    }

    /** The first character, in code points (as Python indexes strings). */
    public int getStart() {
        return start;
    }

    public void setStart(int start) {
        this.start = start;
    }

    /** The end character (exclusive), in code points. */
    public int getEnd() {
        return end;
    }

    public void setEnd(int end) {
        this.end = end;
    }

    /**
     * What found the entity: {@code model}, or {@code pattern:NAME} for a pattern recognizer of a redacting
     * model spec ({@code pattern:email}, {@code pattern:credit_card}, ...).
     */
    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EntitySpan other
                && Objects.equals(label, other.label)
                && grouped == other.grouped
                && score == other.score
                && index == other.index
                && Objects.equals(word, other.word)
                && start == other.start
                && end == other.end
                && Objects.equals(source, other.source);
    }

    @Override
    public int hashCode() {
        return Objects.hash(label, grouped, score, index, word, start, end, source);
    }

    @Override
    public String toString() {
        return label + "[" + start + "," + end + ")" + " '" + word + "' " + score;
    }
}
