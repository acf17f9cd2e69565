package io.torchstream.internal.task;

import io.torchstream.internal.bundle.BundleManifest;
import io.torchstream.internal.bundle.Pooling;
import io.torchstream.internal.runtime.ModelOutput;
import io.torchstream.internal.text.EncodedText;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns one row of model output into the task's prediction, as the HF pipelines do. */
final class OutputDecoder {

    private final BundleManifest manifest;

    OutputDecoder(BundleManifest manifest) {
        this.manifest = manifest;
    }

    Prediction decode(ModelOutput output, int row, EncodedText encoding) {
        return switch (manifest.task()) {
            case SEQUENCE_CLASSIFICATION -> classification(output, row, encoding.truncated());
            case TOKEN_CLASSIFICATION -> tokenScores(output, row, encoding);
            case EMBEDDING -> embedding(output, row, encoding);
        };
    }

    private Classification classification(ModelOutput output, int row, boolean truncated) {
        List<String> labels = manifest.labels();
        double[] scores = manifest.scoreFunction().apply(output.data(), output.rowOffset(row), labels.size());
        Map<String, Double> byLabel = new LinkedHashMap<>();
        int best = 0;
        for (int i = 0; i < scores.length; i++) {
            byLabel.put(labels.get(i), scores[i]);
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        return new Classification(labels.get(best), scores[best], Collections.unmodifiableMap(byLabel), truncated);
    }

    private TokenScores tokenScores(ModelOutput output, int row, EncodedText encoding) {
        int labels = manifest.labels().size();
        int tokens = encoding.length();
        double[] scores = new double[tokens * labels];
        int offset = output.rowOffset(row);
        for (int t = 0; t < tokens; t++) {
            double[] tokenScores = manifest.scoreFunction().apply(output.data(), offset + t * labels, labels);
            System.arraycopy(tokenScores, 0, scores, t * labels, labels);
        }
        return new TokenScores(encoding, scores, labels, encoding.truncated());
    }

    private Embedding embedding(ModelOutput output, int row, EncodedText encoding) {
        int hidden = manifest.outputWidth();
        int offset = output.rowOffset(row);
        float[] data = output.data();
        double[] sum = new double[hidden];
        Pooling pooling = manifest.pooling();
        // Mean over the real tokens only (the attention mask), as sentence-transformers pools.
        int tokens = pooling.mode() == Pooling.Mode.CLS ? 1 : encoding.length();
        for (int t = 0; t < tokens; t++) {
            int base = offset + t * hidden;
            for (int h = 0; h < hidden; h++) {
                sum[h] += data[base + h];
            }
        }
        double norm = 0;
        for (int h = 0; h < hidden; h++) {
            sum[h] /= tokens;
            norm += sum[h] * sum[h];
        }
        // sentence-transformers' Normalize divides by max(norm, 1e-12).
        double scale = pooling.normalize() ? 1.0 / Math.max(Math.sqrt(norm), 1e-12) : 1.0;
        float[] vector = new float[hidden];
        for (int h = 0; h < hidden; h++) {
            vector[h] = (float) (sum[h] * scale);
        }
        return new Embedding(vector, encoding.truncated());
    }
}
