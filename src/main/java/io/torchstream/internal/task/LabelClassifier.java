package io.torchstream.internal.task;

import io.torchstream.internal.bundle.Task;
import io.torchstream.internal.text.TextInput;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Classifies texts with an embedding model and labels described in words: each label's prototype is
 * the normalised sum of the (normalised) embeddings of its description and examples; a text's scores
 * are a softmax over its cosine similarities to the prototypes, multiplied by {@code scale}. Changing
 * labels needs no re-export: the prototypes are computed when the classifier is created.
 */
public final class LabelClassifier {

    private final List<String> names;
    private final float[][] prototypes;
    private final double scale;

    private LabelClassifier(List<String> names, float[][] prototypes, double scale) {
        this.names = names;
        this.prototypes = prototypes;
        this.scale = scale;
    }

    /** Checks a label set; the message says what is wrong with it. */
    public static void validate(List<LabelSpec> labels, double scale) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("no labels: give at least one label with a name and a description");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < labels.size(); i++) {
            LabelSpec label = labels.get(i);
            String where = "label " + (i + 1);
            if (label.name() == null || label.name().isBlank()) {
                throw new IllegalArgumentException(where + " has no name");
            }
            if (!seen.add(label.name())) {
                throw new IllegalArgumentException(
                        "label '" + label.name() + "' is defined twice; label names must be unique");
            }
            if (label.description() == null || label.description().isBlank()) {
                throw new IllegalArgumentException("label '" + label.name()
                        + "' has an empty description; describe in words" + " what texts with this label are about");
            }
            for (String example : label.examples()) {
                if (example == null || example.isBlank()) {
                    throw new IllegalArgumentException("label '" + label.name() + "' has an empty example");
                }
            }
        }
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be a positive number, got " + scale);
        }
    }

    /** Embeds every description and example once, with {@code model}. */
    public static LabelClassifier create(TextModel model, List<LabelSpec> labels, double scale) {
        validate(labels, scale);
        if (model.task() != Task.EMBEDDING) {
            throw new IllegalArgumentException("labels by description need an embedding bundle, but "
                    + model.manifest().name() + " is a " + model.task() + " bundle");
        }
        List<TextInput> texts = new ArrayList<>();
        for (LabelSpec label : labels) {
            texts.add(TextInput.of(label.description()));
            label.examples().forEach(e -> texts.add(TextInput.of(e)));
        }
        List<Prediction> embedded = model.predict(texts).results();
        int width = model.manifest().outputWidth();
        float[][] prototypes = new float[labels.size()][];
        int next = 0;
        List<String> names = new ArrayList<>();
        for (int l = 0; l < labels.size(); l++) {
            double[] sum = new double[width];
            for (int k = 0; k <= labels.get(l).examples().size(); k++) {
                float[] v = normalized(((Embedding) embedded.get(next++)).vector());
                for (int h = 0; h < width; h++) {
                    sum[h] += v[h];
                }
            }
            float[] prototype = new float[width];
            for (int h = 0; h < width; h++) {
                prototype[h] = (float) sum[h];
            }
            prototypes[l] = normalized(prototype);
            names.add(labels.get(l).name());
        }
        return new LabelClassifier(Collections.unmodifiableList(names), prototypes, scale);
    }

    /** Scores an embedding against every label. */
    public Classification classify(Embedding embedding) {
        float[] v = normalized(embedding.vector());
        double[] logits = new double[prototypes.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int l = 0; l < prototypes.length; l++) {
            double dot = 0;
            for (int h = 0; h < v.length; h++) {
                dot += v[h] * prototypes[l][h];
            }
            logits[l] = scale * dot;
            max = Math.max(max, logits[l]);
        }
        double sum = 0;
        for (int l = 0; l < logits.length; l++) {
            logits[l] = Math.exp(logits[l] - max);
            sum += logits[l];
        }
        Map<String, Double> scores = new LinkedHashMap<>();
        int best = 0;
        for (int l = 0; l < logits.length; l++) {
            logits[l] /= sum;
            scores.put(names.get(l), logits[l]);
            if (logits[l] > logits[best]) {
                best = l;
            }
        }
        return new Classification(
                names.get(best), logits[best], Collections.unmodifiableMap(scores), embedding.truncated());
    }

    public List<String> labels() {
        return names;
    }

    private static float[] normalized(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        double scale = 1.0 / Math.max(Math.sqrt(norm), 1e-12);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] * scale);
        }
        return out;
    }
}
