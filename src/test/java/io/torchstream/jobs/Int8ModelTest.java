package io.torchstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.session.ModelSession;
import io.torchstream.internal.task.Classification;
import io.torchstream.internal.task.Embedding;
import io.torchstream.internal.task.Prediction;
import io.torchstream.internal.task.TextModel;
import io.torchstream.internal.text.TextInput;
import io.torchstream.testing.Fixtures;
import io.torchstream.testing.JobFiles;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * models/all-minilm-l6-v2-int8 through libtorch: the accuracy bar of an int8 default (held-out headlines:
 * accuracy within 0.01 of fp32, labels equal to fp32's on at least 98%), and its vectors near
 * sentence-transformers' fp32 ones. Dynamic quantization scales activations per batch, so a text's vector
 * depends a little on its batch: measured here, and why the int8 bundle is not the default.
 */
class Int8ModelTest {

    private static final Path INT8 = Path.of("models/all-minilm-l6-v2-int8");

    @Test
    void theInt8BundleKeepsTheDefaultLabelsOnHeldOutHeadlines() {
        List<JsonNode> test = JobFiles.readLines(Path.of("data/headlines-test.jsonl"));
        List<TextInput> texts = new ArrayList<>();
        test.forEach(h -> texts.add(TextInput.of(h.get("text").asText())));
        List<Prediction> fp32 = classify("models/all-minilm-l6-v2", texts);
        List<Prediction> int8 = classify(INT8.toString(), texts);
        int agree = 0;
        int rightFp32 = 0;
        int rightInt8 = 0;
        for (int i = 0; i < test.size(); i++) {
            String truth = test.get(i).get("label").asText();
            String a = ((Classification) fp32.get(i)).label();
            String b = ((Classification) int8.get(i)).label();
            agree += a.equals(b) ? 1 : 0;
            rightFp32 += a.equals(truth) ? 1 : 0;
            rightInt8 += b.equals(truth) ? 1 : 0;
        }
        double agreement = (double) agree / test.size();
        double accuracyFp32 = (double) rightFp32 / test.size();
        double accuracyInt8 = (double) rightInt8 / test.size();
        System.out.printf(
                "[int8] headlines-test: %d texts, labels equal to fp32 %.4f, accuracy fp32 %.4f int8 %.4f%n",
                test.size(), agreement, accuracyFp32, accuracyInt8);
        assertThat(agreement).isGreaterThanOrEqualTo(0.98);
        assertThat(accuracyInt8).isGreaterThanOrEqualTo(accuracyFp32 - 0.01);
    }

    @Test
    void int8VectorsStayNearSentenceTransformersAndDependALittleOnTheirBatch() {
        JsonNode reference = Fixtures.reference("all-minilm-l6-v2");
        List<TextInput> inputs = Fixtures.inputs(reference);
        try (TextModel model = TextModel.open(ModelBundle.open(INT8), 2)) {
            assertThat(model.manifest().name()).isEqualTo("all-MiniLM-L6-v2-int8");
            List<Prediction> batched = model.predict(inputs).results();
            double minCosine = 1;
            double sum = 0;
            double maxBatchDiff = 0;
            for (int i = 0; i < inputs.size(); i++) {
                double[] expected =
                        Fixtures.doubles(reference.get("cases").get(i).get("embedding"));
                float[] inBatch = ((Embedding) batched.get(i)).vector();
                float[] alone = ((Embedding)
                                model.predict(List.of(inputs.get(i))).results().get(0))
                        .vector();
                double dot = 0;
                for (int k = 0; k < expected.length; k++) {
                    dot += inBatch[k] * expected[k];
                    maxBatchDiff = Math.max(maxBatchDiff, Math.abs(inBatch[k] - alone[k]));
                }
                minCosine = Math.min(minCosine, dot);
                sum += dot;
            }
            System.out.printf(
                    "[int8] all-minilm-l6-v2-int8 vs sentence-transformers fp32: %d texts, cosine mean %.4f min %.4f;"
                            + " a text alone vs in a batch: max abs diff %.3g%n",
                    inputs.size(), sum / inputs.size(), minCosine, maxBatchDiff);
            // The exporter measured mean 0.988, min 0.981 on the dev headlines; the parity corpus adds CJK,
            // emoji and empty texts.
            assertThat(sum / inputs.size()).isGreaterThanOrEqualTo(0.97);
            assertThat(minCosine).isGreaterThanOrEqualTo(0.9);
        }
    }

    private static List<Prediction> classify(String bundle, List<TextInput> texts) {
        JobConfig config = CommandLine.parse(new String[] {"jobs/demo.yaml", "--bundle", bundle})
                .config();
        try (ModelSession session = ModelSession.open(config.model, 1)) {
            return session.predict(texts).results();
        }
    }
}
