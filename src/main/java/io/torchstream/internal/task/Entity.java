package io.torchstream.internal.task;

/**
 * A tagged span of text, with the token-classification pipeline's fields.
 *
 * @param label the entity type ({@code entity_group}, such as PER), or the token's label ({@code
 *     entity}, such as B-PER) when not aggregated
 * @param grouped whether {@code label} is an entity group (any aggregation but none)
 * @param score the (averaged) probability of the label
 * @param index the token's position in its window when not aggregated, else -1
 * @param word the text the entity spans: {@code text[start:end]}
 * @param start first character, in code points (as Python indexes strings)
 * @param end end character (exclusive), in code points
 * @param source what found it: {@value #MODEL}, or {@code pattern:NAME} for a pattern recognizer
 */
public record Entity(
        String label, boolean grouped, double score, int index, String word, int start, int end, String source) {

    /** The source of the model's own entities. */
    public static final String MODEL = "model";
}
