package io.torchstream.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.torchstream.bundle.ModelBundle;
import io.torchstream.bundle.Task;
import io.torchstream.task.Classification;
import io.torchstream.task.Embedding;
import io.torchstream.task.LabelClassifier;
import io.torchstream.task.Prediction;
import io.torchstream.task.TextModel;
import io.torchstream.text.TextInput;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Accuracy of a job's classifier on a labelled JSON-lines file ({@code text}, {@code label}): what
 * {@code bin/torchstream eval} prints. Runs the same model and labels as the job, without Flink.
 */
public final class Evaluation {

    /** One labelled text and what the job's classifier made of it. */
    public record Outcome(String id, String text, String expected, String predicted, double score) {}

    private final List<String> labels;
    private final List<Outcome> outcomes;

    private Evaluation(List<String> labels, List<Outcome> outcomes) {
        this.labels = labels;
        this.outcomes = outcomes;
    }

    public static Evaluation run(JobConfig config, Path data) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        ObjectMapper mapper = new ObjectMapper();
        for (String line : Files.readAllLines(data, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                rows.add(mapper.readTree(line));
            }
        }
        try (TextModel model = TextModel.open(ModelBundle.open(config.bundle), config.threads, config.shapes)) {
            LabelClassifier classifier = config.labels.isEmpty() ? null : LabelClassifier.create(model, config.labels, config.labelScale);
            if (classifier == null && model.task() != Task.SEQUENCE_CLASSIFICATION) {
                throw new JobSpecException(config.spec().file() + ": nothing to evaluate: the bundle is a " + model.task()
                        + " bundle and the job has no classify.labels");
            }
            Set<String> labels = new LinkedHashSet<>(classifier != null ? classifier.labels() : model.manifest().labels());
            List<TextInput> inputs = new ArrayList<>();
            for (JsonNode row : rows) {
                inputs.add(TextInput.of(row.get(config.textField).asText()));
                labels.add(row.get("label").asText());
            }
            List<Prediction> predictions = model.predict(inputs).results();
            List<Outcome> outcomes = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                Prediction p = predictions.get(i);
                Classification c = classifier != null ? classifier.classify((Embedding) p) : (Classification) p;
                outcomes.add(new Outcome(rows.get(i).path(config.idField).asText(""), inputs.get(i).text(),
                        rows.get(i).get("label").asText(), c.label(), c.score()));
            }
            return new Evaluation(List.copyOf(labels), outcomes);
        }
    }

    public double accuracy() {
        return outcomes.isEmpty() ? 0 : outcomes.stream().filter(o -> o.expected().equals(o.predicted())).count() / (double) outcomes.size();
    }

    public List<Outcome> outcomes() {
        return outcomes;
    }

    /** Accuracy, the confusion matrix (rows: true label, columns: predicted) and the mistakes. */
    public String report() {
        StringBuilder out = new StringBuilder();
        long correct = outcomes.stream().filter(o -> o.expected().equals(o.predicted())).count();
        out.append(String.format(Locale.ROOT, "accuracy %.1f%% (%d of %d)%n%n", 100 * accuracy(), correct, outcomes.size()));
        int width = Math.max(10, labels.stream().mapToInt(String::length).max().orElse(0) + 2);
        int first = Math.max(width, 18);
        out.append(String.format(Locale.ROOT, "%-" + first + "s", "true \\ predicted"));
        labels.forEach(l -> out.append(String.format(Locale.ROOT, "%" + width + "s", l)));
        out.append('\n');
        for (String truth : labels) {
            out.append(String.format(Locale.ROOT, "%-" + first + "s", truth));
            for (String predicted : labels) {
                long n = outcomes.stream().filter(o -> o.expected().equals(truth) && o.predicted().equals(predicted)).count();
                out.append(String.format(Locale.ROOT, "%" + width + "d", n));
            }
            out.append('\n');
        }
        List<Outcome> wrong = outcomes.stream().filter(o -> !o.expected().equals(o.predicted())).toList();
        if (!wrong.isEmpty()) {
            out.append("\nmistakes:\n");
            wrong.forEach(o -> out.append(String.format(Locale.ROOT, "  %s  %s -> %s (%.2f)  %s%n",
                    o.id(), o.expected(), o.predicted(), o.score(), o.text())));
        }
        return out.toString();
    }
}
