package io.torchstream;

import org.apache.flink.annotation.PublicEvolving;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * A label for classification with an embedding bundle, described in words: each label's prototype is
 * the normalised sum of the embeddings of its description and examples, and an element takes the
 * label whose prototype its text is most similar to.
 *
 * @param name the label reported in results
 * @param description what texts of this label are about, in plain words
 * @param examples texts that belong to this label (may be empty)
 */
@PublicEvolving
public record Label(String name, String description, List<String> examples) implements Serializable {

    public Label {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        examples = List.copyOf(examples);
    }

    /**
     * A label with its description and examples.
     *
     * @param name the label reported in results
     * @param description what texts of this label are about, in plain words
     * @param examples texts that belong to this label
     * @return the label
     */
    public static Label of(String name, String description, String... examples) {
        return new Label(name, description, List.of(examples));
    }
}
