package io.torchstream.internal.task;

import java.io.Serializable;
import java.util.List;

/**
 * A label for classification by similarity: its name, a description of what belongs to it, and
 * optionally a few example texts.
 *
 * @param name the label reported in results
 * @param description what texts of this label are about, in plain words
 * @param examples texts that belong to this label (may be empty)
 */
public record LabelSpec(String name, String description, List<String> examples) implements Serializable {

    public LabelSpec {
        examples = List.copyOf(examples);
    }
}
