package io.torchstream;

import org.apache.flink.annotation.PublicEvolving;

/**
 * What every result has: the element it was computed for, whether its text was cut to the model's
 * length, and the model that computed it.
 *
 * @param <T> the element type
 */
@PublicEvolving
public interface ModelResult<T> {

    /** The element, as it arrived. */
    T getValue();

    /** Whether the text was cut to the model's length before it ran. */
    boolean isTruncated();

    /** The bundle's model name. */
    String getModel();

    /** The model's version: the first 12 hex digits of the sha256 of its model.pt. */
    String getModelVersion();
}
