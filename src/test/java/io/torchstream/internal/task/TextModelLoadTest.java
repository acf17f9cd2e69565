package io.torchstream.internal.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.internal.bundle.BundleException;
import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.bundle.TraceShape;
import io.torchstream.internal.runtime.TorchEngine;
import io.torchstream.internal.text.EncodedText;
import io.torchstream.internal.text.TextInput;
import io.torchstream.testing.BundleCopies;
import io.torchstream.testing.Fixtures;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

/** A model that contradicts its bundle.json fails at load (in libtorch), naming model.pt. */
class TextModelLoadTest {

    @TempDir
    Path tmp;

    @Test
    void inputCountContradictingTheModelFailsAtLoad() {
        Path bundle = BundleCopies.copy("distilbert-seq-cls", tmp.resolve("d"));
        // DistilBERT's forward takes two tensors; bundle.json now claims three.
        BundleCopies.editManifest(bundle, m -> m.withArray("inputs").add("token_type_ids"));
        assertThatThrownBy(() -> TextModel.open(ModelBundle.open(bundle), 1))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("model.pt")
                .hasMessageContaining("[input_ids, attention_mask, token_type_ids]")
                .hasMessageContaining("Re-export the bundle");
    }

    @Test
    void outputWidthContradictingTheModelFailsAtLoad() {
        Path bundle = BundleCopies.copy("bert-seq-cls", tmp.resolve("b"));
        BundleCopies.editManifest(bundle, m -> {
            m.withArray("labels").add("fourth");
            m.withObject("/output").putArray("shape").add(4).add(4);
        });
        assertThatThrownBy(() -> TextModel.open(ModelBundle.open(bundle), 1))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("model.pt")
                .hasMessageContaining("outputs shape [1, 3] at 1x8")
                .hasMessageContaining("output [1, 4]");
    }

    @Test
    void theWarmUpRunsTheSmallestShapeOnlyUnlessTheGraphOptimizerIsOn() {
        List<TraceShape> shapes = Fixtures.bundle("bert-seq-cls").manifest().shapes();
        assertThat(shapes).hasSizeGreaterThan(1);
        String before = System.getProperty(TorchEngine.GRAPH_OPTIMIZER);
        try {
            System.setProperty(TorchEngine.GRAPH_OPTIMIZER, "false");
            assertThat(TextModel.warmUpShapes(shapes)).containsExactly(Collections.min(shapes));
            System.setProperty(TorchEngine.GRAPH_OPTIMIZER, "true");
            assertThat(TextModel.warmUpShapes(shapes)).isEqualTo(shapes);
        } finally {
            if (before == null) {
                System.clearProperty(TorchEngine.GRAPH_OPTIMIZER);
            } else {
                System.setProperty(TorchEngine.GRAPH_OPTIMIZER, before);
            }
        }
    }

    @Test
    void emptyAndOverlongTextsNeverCrash() {
        try (TextModel model = TextModel.open(Fixtures.bundle("bert-seq-cls"), 1)) {
            String longText = String.join(" ", Collections.nCopies(500, "word"));
            List<Prediction> results = model.predict(
                            List.of(TextInput.of(""), TextInput.of(longText), TextInput.of("fine")))
                    .results();
            assertThat(results).hasSize(3);
            assertThat(results.get(0).truncated()).isFalse();
            assertThat(results.get(1).truncated()).isTrue();
            assertThat(model.encode(TextInput.of(longText)).length())
                    .isEqualTo(model.manifest().maxLength());
        }
    }

    @Test
    void moreInputsThanABatchRunInSeveralPassesInOrder() {
        try (TextModel model = TextModel.open(Fixtures.bundle("bert-seq-cls"), 1)) {
            List<TextInput> inputs = Fixtures.inputs(Fixtures.reference("bert-seq-cls"));
            Predictions all = model.predict(inputs);
            assertThat(all.forwards().size()).isGreaterThanOrEqualTo((inputs.size() + 3) / 4);
            assertThat(all.forwards().stream()
                            .mapToLong(f -> f.shape().tokens())
                            .sum())
                    .as("grouping by length never computes more than padding everything to the longest shape")
                    .isLessThanOrEqualTo((inputs.size() + 3)
                            / 4
                            * model.manifest().traceShape().tokens());
            assertThat(all.forwards())
                    .allSatisfy(f -> assertThat(model.manifest().shapes()).contains(f.shape()));
            for (int i = 0; i < inputs.size(); i++) {
                Classification alone = (Classification)
                        model.predict(List.of(inputs.get(i))).results().get(0);
                assertThat(((Classification) all.results().get(i)).label()).isEqualTo(alone.label());
            }
        }
    }

    @Test
    void eachBatchRunsAtTheSmallestVerifiedShapeThatHoldsIt() {
        try (TextModel model = TextModel.open(Fixtures.bundle("bert-seq-cls"), 1)) {
            assertThat(model.manifest().shapes()).hasSize(9);
            EncodedText shortRow = model.encode(TextInput.of("ok"));
            EncodedText longRow = model.encode(TextInput.of(String.join(" ", Collections.nCopies(40, "word"))));
            assertThat(shortRow.length()).isLessThanOrEqualTo(8);
            assertThat(model.pad(List.of(shortRow)).shape()).isEqualTo(new TraceShape(1, 8));
            assertThat(model.pad(List.of(shortRow, shortRow, shortRow)).shape()).isEqualTo(new TraceShape(4, 8));
            assertThat(model.pad(List.of(shortRow, longRow)).shape()).isEqualTo(new TraceShape(2, 24));
        }
    }

    @Test
    void shortAndLongTextsRunInSeparatePassesAndComeBackInOrder() {
        try (TextModel model = TextModel.open(Fixtures.bundle("bert-seq-cls"), 1)) {
            String longText = String.join(" ", Collections.nCopies(40, "word"));
            List<TextInput> inputs = List.of(
                    TextInput.of(longText),
                    TextInput.of("ok"),
                    TextInput.of("fine"),
                    TextInput.of(longText),
                    TextInput.of("no"),
                    TextInput.of("a bit longer text here"));
            Predictions mixed = model.predict(inputs);
            // Grouped by length: the long texts do not drag the short ones to 24 tokens.
            List<EncodedText> rows = inputs.stream().map(model::encode).toList();
            for (List<Integer> group : model.groups(rows)) {
                TraceShape shape = model.shapeFor(group.stream().map(rows::get).toList());
                for (int i : group) {
                    if (rows.get(i).length() <= 8) {
                        assertThat(shape.seqLen())
                                .as("shape of short text %d", i)
                                .isEqualTo(8);
                    }
                }
            }
            long computed =
                    mixed.forwards().stream().mapToLong(f -> f.shape().tokens()).sum();
            assertThat(computed).isLessThan(2 * new TraceShape(4, 24).tokens());
            for (int i = 0; i < inputs.size(); i++) {
                Classification alone = (Classification)
                        model.predict(List.of(inputs.get(i))).results().get(0);
                Classification inOrder = (Classification) mixed.results().get(i);
                assertThat(inOrder.label()).isEqualTo(alone.label());
                assertThat(inOrder.score()).isCloseTo(alone.score(), org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }

    @Test
    void closeIsIdempotentAndFinal() {
        TextModel model = TextModel.open(Fixtures.bundle("bert-seq-cls"), 1);
        model.close();
        model.close();
        assertThatThrownBy(() -> model.predict(List.of(TextInput.of("x")))).isInstanceOf(IllegalStateException.class);
    }
}
