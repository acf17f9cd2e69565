package io.torchstream.internal.task;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.runtime.ModelOutput;
import io.torchstream.internal.text.EncodedText;
import io.torchstream.internal.text.TextInput;
import io.torchstream.testing.Fixtures;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * models/pii-rampart in libtorch against the model it was rebuilt from, the package's 4-bit ONNX graph under
 * onnxruntime: the same tokens, every token's label the same on at least 99.5% of tokens, and logits within
 * {@link #TOLERANCE}. The dequantized weights are the graph's exactly, so only float summation order differs:
 * in Python the rebuilt model is 2.4e-5 from onnxruntime at most on this corpus, and its smallest margin
 * between a token's two best labels is 0.017, so no label may flip within the tolerance.
 */
class PiiModelParityTest {

    static final double TOLERANCE = 1e-4;
    static final double MIN_LABEL_AGREEMENT = 0.995;

    @Test
    void tokenLabelsAndLogitsEqualOnnxRuntimeOnTheOriginalGraph() {
        JsonNode reference = Fixtures.reference("pii-rampart");
        ModelBundle bundle = Fixtures.bundle("pii-rampart");
        List<TextInput> inputs = Fixtures.inputs(reference);
        JsonNode cases = reference.get("cases");
        int labels = bundle.manifest().labels().size();
        try (TextModel model = TextModel.open(bundle, 2)) {
            List<EncodedText> rows = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                EncodedText row = model.encode(inputs.get(i));
                assertThat(row.ids())
                        .as("token ids of case %d", i)
                        .containsExactly(Fixtures.longs(cases.get(i).get("input_ids")));
                assertThat(row.truncated())
                        .isEqualTo(cases.get(i).get("truncated").asBoolean());
                rows.add(row);
            }
            double maxDiff = 0;
            long tokens = 0;
            long agree = 0;
            int truncated = 0;
            for (int from = 0; from < rows.size(); from += model.maxBatchSize()) {
                List<EncodedText> chunk = rows.subList(from, Math.min(rows.size(), from + model.maxBatchSize()));
                ModelOutput out = model.forward(model.pad(chunk));
                for (int r = 0; r < chunk.size(); r++) {
                    int i = from + r;
                    JsonNode expected = cases.get(i).get("logits");
                    assertThat(expected.size()).isEqualTo(chunk.get(r).length());
                    truncated += chunk.get(r).truncated() ? 1 : 0;
                    for (int t = 0; t < expected.size(); t++) {
                        int best = 0;
                        int bestExpected = 0;
                        for (int k = 0; k < labels; k++) {
                            double actual = out.data()[out.rowOffset(r) + t * labels + k];
                            double wanted = expected.get(t).get(k).asDouble();
                            maxDiff = Math.max(maxDiff, Math.abs(actual - wanted));
                            if (actual > out.data()[out.rowOffset(r) + t * labels + best]) {
                                best = k;
                            }
                            if (wanted > expected.get(t).get(bestExpected).asDouble()) {
                                bestExpected = k;
                            }
                        }
                        tokens++;
                        agree += best == bestExpected ? 1 : 0;
                    }
                }
            }
            double agreement = (double) agree / tokens;
            System.out.printf(
                    "[parity] pii-rampart vs onnxruntime on model_q4.onnx: %d texts (%d cut at %d tokens), %d tokens,"
                            + " labels equal on %.4f, max abs logit diff %.3g%n",
                    rows.size(), truncated, bundle.manifest().maxLength(), tokens, agreement, maxDiff);
            assertThat(truncated).as("texts longer than the model").isPositive();
            assertThat(agreement).isGreaterThanOrEqualTo(MIN_LABEL_AGREEMENT);
            assertThat(maxDiff).isLessThanOrEqualTo(TOLERANCE);
        }
    }
}
