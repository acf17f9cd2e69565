package io.torchstream.internal.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.torchstream.internal.bundle.BundleException;
import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.bundle.Task;
import io.torchstream.internal.text.EncodedText;
import io.torchstream.internal.text.TextEncoder;
import io.torchstream.internal.text.TextInput;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Real-time token tagging: texts to entity spans with a token-classification bundle. A text longer
 * than the model's length runs as overlapping windows, all of them rows of the same padded batches,
 * and the windows' entities are merged back in the text's own offsets, as the pipeline's stride does.
 */
public final class TokenTagger implements AutoCloseable {

    private final TextModel model;
    private final TextEncoder windows;
    private final EntityDecoder decoder;

    private TokenTagger(TextModel model, TextEncoder windows, EntityDecoder decoder) {
        this.model = model;
        this.windows = windows;
        this.decoder = decoder;
    }

    /**
     * @param stride tokens shared by consecutive windows of a long text; -1 picks a quarter of the
     *     model's length
     * @param ignoreLabels labels meaning "no entity", which must be labels of the bundle
     * @throws IllegalArgumentException if the bundle is not a token-classification bundle, or the
     *     settings do not fit it
     */
    public static TokenTagger create(
            ModelBundle bundle, TextModel model, Aggregation aggregation, int stride, Set<String> ignoreLabels) {
        int chosen = check(bundle, stride, ignoreLabels);
        List<String> labels = model.manifest().labels();
        TextEncoder encoder =
                TextEncoder.open(bundle.tokenizerFile(), model.manifest().maxLength(), chosen);
        try {
            JsonNode tokenizer =
                    new ObjectMapper().readTree(bundle.tokenizerFile().toFile()).path("model");
            String prefix = tokenizer.path("continuing_subword_prefix").asText("");
            String unk = tokenizer.path("unk_token").asText(null);
            long unkId = unk == null ? -1 : tokenizer.path("vocab").path(unk).asLong(-1);
            return new TokenTagger(
                    model, encoder, new EntityDecoder(labels, ignoreLabels, aggregation, !prefix.isEmpty(), unkId));
        } catch (IOException e) {
            encoder.close();
            throw new BundleException(bundle.tokenizerFile(), "cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Checks tagging settings against a bundle, without loading its model; returns the stride to use.
     *
     * @param stride tokens shared by consecutive windows of a long text; -1 picks a quarter of the
     *     model's length
     * @param ignoreLabels labels meaning "no entity", which must be labels of the bundle
     * @throws IllegalArgumentException if the bundle is not a token-classification bundle with such
     *     labels, or the stride leaves no room in a window
     */
    public static int check(ModelBundle bundle, int stride, Set<String> ignoreLabels) {
        if (bundle.manifest().task() != Task.TOKEN_CLASSIFICATION) {
            throw new IllegalArgumentException("tagging needs a token-classification bundle, but " + bundle + " is a "
                    + bundle.manifest().task() + " bundle");
        }
        List<String> labels = bundle.manifest().labels();
        for (String ignored : ignoreLabels) {
            if (!labels.contains(ignored)) {
                throw new IllegalArgumentException("the bundle's labels " + labels + " have no '" + ignored + "': set"
                        + " tagging.ignore-labels to the label(s) that mean 'no entity'");
            }
        }
        if (labels.stream().allMatch(ignoreLabels::contains)) {
            throw new IllegalArgumentException("every label of the bundle (" + labels
                    + ") is ignored: not a token-classification" + " label set to tag entities with");
        }
        int maxLength = bundle.manifest().maxLength();
        int chosen = stride < 0 ? maxLength / 4 : stride;
        int special;
        try (TextEncoder encoder = TextEncoder.open(bundle)) {
            special = encoder.encode(TextInput.of("")).length();
        }
        if (chosen >= maxLength - special) {
            throw new IllegalArgumentException("tagging.stride " + chosen + " leaves no room in windows of " + maxLength
                    + " tokens (" + special + " of them special); use less than " + (maxLength - special));
        }
        return chosen;
    }

    /** The entity types that labels name, as grouped entities carry them: B-EMAIL and I-EMAIL give EMAIL. */
    public static Set<String> entityTypes(List<String> labels) {
        Set<String> types = new java.util.TreeSet<>();
        for (String label : labels) {
            types.add(label.startsWith("B-") || label.startsWith("I-") ? label.substring(2) : label);
        }
        return types;
    }

    /** Entities of each text, in order, with the forward passes that found them. */
    public Predictions tag(List<TextInput> inputs) {
        List<EncodedText> rows = new ArrayList<>();
        int[] windowCounts = new int[inputs.size()];
        for (int i = 0; i < inputs.size(); i++) {
            List<EncodedText> w = windows.encodeWindows(inputs.get(i));
            windowCounts[i] = w.size();
            rows.addAll(w);
        }
        Predictions scores = model.predictEncoded(rows);
        List<Prediction> results = new ArrayList<>(inputs.size());
        int next = 0;
        for (int i = 0; i < inputs.size(); i++) {
            List<TokenScores> textWindows = new ArrayList<>(windowCounts[i]);
            for (int w = 0; w < windowCounts[i]; w++) {
                textWindows.add((TokenScores) scores.results().get(next++));
            }
            results.add(new Entities(decoder.decode(inputs.get(i).text(), textWindows), false));
        }
        return new Predictions(results, scores.forwards());
    }

    /** Windows a text needs, for diagnostics and tests. */
    public int windows(TextInput input) {
        return windows.encodeWindows(input).size();
    }

    @Override
    public void close() {
        windows.close();
    }
}
