package io.torchstream.internal.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;

import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.bundle.Task;
import io.torchstream.internal.runtime.ModelOutput;
import io.torchstream.internal.text.EncodedText;
import io.torchstream.internal.text.TextInput;
import io.torchstream.testing.Fixtures;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Java runtime against transformers: for every fixture bundle and every text of the shared
 * corpus, the same tokens, the same outputs (max abs diff 1e-4), the same labels; and each text's
 * output alone in a padded batch equals its output in a full batch (1e-5).
 */
class ParityTest {

    static final double PARITY_TOLERANCE = 1e-4;
    static final double BATCH_INVARIANCE_TOLERANCE = 1e-5;

    private static final Map<String, String> MEASURED = new TreeMap<>();

    @ParameterizedTest
    @ValueSource(
            strings = {
                "bert-seq-cls",
                "distilbert-seq-cls",
                "roberta-seq-cls-multilabel",
                "bert-pair-cls",
                "bert-token-cls",
                "roberta-token-cls",
                "bert-embedding"
            })
    void outputsEqualTransformers(String fixture) {
        JsonNode reference = Fixtures.reference(fixture);
        ModelBundle bundle = Fixtures.bundle(fixture);
        List<TextInput> inputs = Fixtures.inputs(reference);
        JsonNode cases = reference.get("cases");

        try (TextModel model = TextModel.open(bundle, 2)) {
            Task task = model.task();
            List<EncodedText> rows = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                EncodedText row = model.encode(inputs.get(i));
                assertThat(row.ids())
                        .as("token ids of case %d %s", i, inputs.get(i))
                        .containsExactly(Fixtures.longs(cases.get(i).get("input_ids")));
                assertThat(row.truncated())
                        .as("truncated flag of case %d", i)
                        .isEqualTo(cases.get(i).get("truncated").asBoolean());
                rows.add(row);
            }

            double maxParity = 0;
            double maxInvariance = 0;
            int batch = model.maxBatchSize();
            for (int from = 0; from < rows.size(); from += batch) {
                List<EncodedText> chunk = rows.subList(from, Math.min(rows.size(), from + batch));
                ModelOutput full = model.forward(model.pad(chunk));
                for (int r = 0; r < chunk.size(); r++) {
                    int i = from + r;
                    ModelOutput alone = model.forward(model.pad(List.of(chunk.get(r))));
                    int width = rawWidth(task, model, chunk.get(r));
                    double invariance = maxAbsDiff(full, r, alone, 0, width);
                    assertThat(invariance)
                            .as("case %d alone vs in a full batch", i)
                            .isLessThanOrEqualTo(BATCH_INVARIANCE_TOLERANCE);
                    maxInvariance = Math.max(maxInvariance, invariance);
                    if (task != Task.EMBEDDING) {
                        double[] expected = Fixtures.doubles(cases.get(i).get("logits"));
                        assertThat(expected).hasSize(width);
                        double diff = 0;
                        for (int k = 0; k < width; k++) {
                            diff = Math.max(diff, Math.abs(full.data()[full.rowOffset(r) + k] - expected[k]));
                        }
                        assertThat(diff)
                                .as("logits of case %d %s", i, inputs.get(i))
                                .isLessThanOrEqualTo(PARITY_TOLERANCE);
                        maxParity = Math.max(maxParity, diff);
                    }
                }
            }

            List<Prediction> predictions = model.predict(inputs).results();
            for (int i = 0; i < inputs.size(); i++) {
                JsonNode expected = cases.get(i);
                Prediction prediction = predictions.get(i);
                assertThat(prediction.truncated())
                        .isEqualTo(expected.get("truncated").asBoolean());
                if (prediction instanceof Classification c) {
                    assertThat(c.label())
                            .as("label of case %d %s", i, inputs.get(i))
                            .isEqualTo(expected.get("label").asText());
                    assertThat(c.score()).isCloseTo(expected.get("score").asDouble(), within(PARITY_TOLERANCE));
                    expected.get("scores")
                            .fields()
                            .forEachRemaining(e -> assertThat(c.scores().get(e.getKey()))
                                    .isCloseTo(e.getValue().asDouble(), within(PARITY_TOLERANCE)));
                    assertThat(c.scores().keySet())
                            .containsExactlyElementsOf(bundle.manifest().labels());
                } else if (prediction instanceof Embedding e) {
                    double[] vector = Fixtures.doubles(expected.get("embedding"));
                    assertThat(e.vector()).hasSize(vector.length);
                    double dot = 0;
                    double diff = 0;
                    for (int k = 0; k < vector.length; k++) {
                        diff = Math.max(diff, Math.abs(e.vector()[k] - vector[k]));
                        dot += e.vector()[k] * vector[k];
                    }
                    assertThat(diff).as("embedding of case %d", i).isLessThanOrEqualTo(PARITY_TOLERANCE);
                    assertThat(dot)
                            .as("cosine of normalised embeddings, case %d", i)
                            .isGreaterThanOrEqualTo(0.9999);
                    maxParity = Math.max(maxParity, diff);
                } else if (prediction instanceof TokenScores t) {
                    assertThat(t.encoding().length())
                            .isEqualTo(expected.get("input_ids").size());
                    assertThat(t.scores())
                            .hasSize(t.encoding().length()
                                    * bundle.manifest().labels().size());
                }
            }
            synchronized (MEASURED) {
                MEASURED.put(
                        fixture,
                        String.format(
                                "max abs diff vs transformers %.3g, alone vs full batch %.3g (%d texts, %s)",
                                maxParity,
                                maxInvariance,
                                inputs.size(),
                                bundle.manifest().architecture()));
            }
        }
    }

    /** Floats of one row that belong to real text: logits, or the real tokens' vectors. */
    private static int rawWidth(Task task, TextModel model, EncodedText row) {
        int width = model.manifest().outputWidth();
        return task == Task.SEQUENCE_CLASSIFICATION ? width : row.length() * width;
    }

    private static double maxAbsDiff(ModelOutput a, int rowA, ModelOutput b, int rowB, int width) {
        double max = 0;
        for (int k = 0; k < width; k++) {
            max = Math.max(max, Math.abs(a.data()[a.rowOffset(rowA) + k] - b.data()[b.rowOffset(rowB) + k]));
        }
        return max;
    }

    @AfterAll
    static void report() {
        MEASURED.forEach((fixture, line) -> System.out.println("[parity] " + fixture + ": " + line));
    }
}
