package io.torchstream.internal.task;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.text.TextInput;
import io.torchstream.testing.Fixtures;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

/**
 * The committed default bundle (all-MiniLM-L6-v2, real weights) against sentence-transformers: every
 * vector within 1e-4 and at cosine >= 0.9999, whatever batch and shape it ran in.
 */
class DefaultModelParityTest {

    static final Path BUNDLE = Path.of("models/all-minilm-l6-v2");

    @Test
    void vectorsEqualSentenceTransformers() {
        JsonNode reference = Fixtures.reference("all-minilm-l6-v2");
        List<TextInput> inputs = Fixtures.inputs(reference);
        try (TextModel model = TextModel.open(ModelBundle.open(BUNDLE), 2)) {
            assertThat(model.manifest().pooling().normalize()).isTrue();
            List<Prediction> batched = model.predict(inputs).results();
            double minCosine = 1;
            double maxDiff = 0;
            double maxBatchDiff = 0;
            for (int i = 0; i < inputs.size(); i++) {
                double[] expected =
                        Fixtures.doubles(reference.get("cases").get(i).get("embedding"));
                float[] inBatch = ((Embedding) batched.get(i)).vector();
                float[] alone = ((Embedding)
                                model.predict(List.of(inputs.get(i))).results().get(0))
                        .vector();
                double dot = 0;
                double norm = 0;
                for (int k = 0; k < expected.length; k++) {
                    dot += inBatch[k] * expected[k];
                    norm += expected[k] * expected[k];
                    maxDiff = Math.max(maxDiff, Math.abs(inBatch[k] - expected[k]));
                    maxBatchDiff = Math.max(maxBatchDiff, Math.abs(inBatch[k] - alone[k]));
                }
                double cosine = dot / Math.sqrt(norm);
                assertThat(cosine).as("cosine of case %d %s", i, inputs.get(i)).isGreaterThanOrEqualTo(0.9999);
                minCosine = Math.min(minCosine, cosine);
            }
            assertThat(maxDiff).isLessThanOrEqualTo(1e-4);
            assertThat(maxBatchDiff).as("a text alone vs in a batch").isLessThanOrEqualTo(1e-5);
            System.out.printf(
                    "[parity] all-minilm-l6-v2: %d texts, min cosine %.7f, max abs diff %.3g, alone vs batch %.3g%n",
                    inputs.size(), minCosine, maxDiff, maxBatchDiff);
        }
    }
}
