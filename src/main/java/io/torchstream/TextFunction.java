package io.torchstream;

import org.apache.flink.annotation.PublicEvolving;

import java.io.Serializable;

/**
 * Reads the text to run through the model from an element, such as {@code Order::description}.
 * Serializable, as every function of a Flink job is. A null or empty text, or one that throws, sends
 * the element to the dead letters with the reason.
 *
 * @param <T> the element type
 */
@PublicEvolving
@FunctionalInterface
public interface TextFunction<T> extends Serializable {

    /**
     * The text of an element.
     *
     * @param value the element
     * @return its text
     * @throws Exception if the element has no text to give: it becomes a dead letter with the reason
     */
    String text(T value) throws Exception;
}
