package io.torchstream.internal.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.bundle.TraceShape;
import io.torchstream.internal.text.TextEncoder;
import io.torchstream.internal.text.TextInput;
import io.torchstream.testing.FakeModelRunner;
import io.torchstream.testing.Fixtures;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How a model splits a micro-batch into forward passes, without libtorch: a fake runner whose logits
 * depend on each row's real tokens stands in for model.pt (bert-seq-cls, verified at batches 1, 2, 4 and
 * lengths 8, 16, 24).
 */
class TextModelBatchingTest {

    private static final String SHORT = "good";
    private static final String LONG =
            "the service was slow and the food was cold but the staff were kind and the view was nice";

    private FakeModelRunner runner;
    private TextModel model;

    @BeforeEach
    void open() {
        ModelBundle bundle = Fixtures.bundle("bert-seq-cls");
        runner = new FakeModelRunner(bundle.manifest());
        model = new TextModel(bundle.manifest(), TextEncoder.open(bundle), runner);
    }

    @AfterEach
    void close() {
        model.close();
        model.close();
    }

    private List<TraceShape> passes(List<TextInput> inputs) {
        int before = runner.ran().size();
        model.predict(inputs);
        return List.copyOf(runner.ran().subList(before, runner.ran().size()));
    }

    @Test
    void moreRowsThanTheLargestBatchRunInSeveralPassesAtTheShortestLength() {
        List<TextInput> nine = Collections.nCopies(9, TextInput.of(SHORT));
        assertThat(passes(nine)).containsExactly(new TraceShape(4, 8), new TraceShape(4, 8), new TraceShape(1, 8));
    }

    @Test
    void shortTextsDoNotPayForThePaddingOfLongOnes() {
        List<TextInput> mixed =
                List.of(TextInput.of(SHORT), TextInput.of(LONG), TextInput.of(SHORT), TextInput.of(LONG));
        assertThat(model.encode(TextInput.of(LONG)).length()).isGreaterThan(16);
        assertThat(passes(mixed)).containsExactly(new TraceShape(2, 8), new TraceShape(2, 24));
    }

    @Test
    void resultsComeBackInInputOrderAndEqualEachTextRunAlone() {
        List<TextInput> inputs = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            inputs.add(TextInput.of(i % 3 == 0 ? LONG + " " + i : SHORT + " " + i));
        }
        List<Prediction> together = model.predict(inputs).results();
        for (int i = 0; i < inputs.size(); i++) {
            Prediction alone = model.predict(List.of(inputs.get(i))).results().get(0);
            assertThat(together.get(i)).as("text %d", i).isEqualTo(alone);
        }
    }
}
