package io.torchstream.internal.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.text.TextInput;
import io.torchstream.testing.Fixtures;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

class LabelClassifierTest {

    private static final List<LabelSpec> ANIMALS = List.of(
            new LabelSpec("cats", "Cats: kittens, purring, meowing pets", List.of("My cat sleeps all day on the sofa")),
            new LabelSpec("cars", "Cars: engines, driving, vehicles and traffic", List.of()));

    @Test
    void classifiesByCosineToDescriptionsAndExamples() {
        try (TextModel model = TextModel.open(ModelBundle.open(Path.of("models/all-minilm-l6-v2")), 1)) {
            LabelClassifier classifier = LabelClassifier.create(model, ANIMALS, 40);
            Embedding kitten = (Embedding) model.predict(List.of(TextInput.of("The kitten purred on my lap")))
                    .results()
                    .get(0);
            Classification c = classifier.classify(kitten);
            assertThat(c.label()).isEqualTo("cats");
            assertThat(c.scores().keySet()).containsExactly("cats", "cars");
            assertThat(c.scores().values().stream()
                            .mapToDouble(Double::doubleValue)
                            .sum())
                    .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
            Embedding traffic =
                    (Embedding) model.predict(List.of(TextInput.of("Heavy traffic on the motorway this morning")))
                            .results()
                            .get(0);
            assertThat(classifier.classify(traffic).label()).isEqualTo("cars");
        }
    }

    @Test
    void refusesBadLabelSetsAndNonEmbeddingBundles() {
        assertThatThrownBy(() -> LabelClassifier.validate(List.of(), 40)).hasMessageContaining("no labels");
        assertThatThrownBy(() -> LabelClassifier.validate(List.of(new LabelSpec("x", " ", List.of())), 40))
                .hasMessageContaining("label 'x' has an empty description");
        assertThatThrownBy(() -> LabelClassifier.validate(List.of(new LabelSpec("", "d", List.of())), 40))
                .hasMessageContaining("label 1 has no name");
        try (TextModel classifier = TextModel.open(Fixtures.bundle("bert-seq-cls"), 1)) {
            assertThatThrownBy(() -> LabelClassifier.create(classifier, ANIMALS, 40))
                    .hasMessageContaining("need an embedding bundle");
        }
    }
}
