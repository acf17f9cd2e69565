package io.torchstream.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.torchstream.internal.session.ModelSession;
import io.torchstream.internal.task.Classification;
import io.torchstream.internal.task.LabelSpec;
import io.torchstream.internal.task.Prediction;
import io.torchstream.internal.task.Predictions;
import io.torchstream.internal.text.TextInput;

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

    /**
     * Classifies every row of {@code data} with the job's model and labels.
     *
     * @throws JobSpecException if a row has no text or label, or the job's model does not classify
     */
    public static Evaluation run(JobConfig config, Path data) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        List<TextInput> inputs = new ArrayList<>();
        ObjectMapper mapper = new ObjectMapper();
        List<String> lines = Files.readAllLines(data, StandardCharsets.UTF_8);
        for (int n = 0; n < lines.size(); n++) {
            if (lines.get(n).isBlank()) {
                continue;
            }
            String where = data + ":" + (n + 1);
            JsonNode row;
            try {
                row = mapper.readTree(lines.get(n));
            } catch (IOException e) {
                throw new JobSpecException(where + ": not a JSON object (" + e.getMessage() + ")", e);
            }
            for (String field : List.of(config.textField, "label")) {
                if (!row.path(field).isTextual()) {
                    throw new JobSpecException(
                            where + ": a labelled row needs a text field '" + field + "'; found " + row);
                }
            }
            rows.add(row);
            inputs.add(TextInput.of(row.get(config.textField).asText()));
        }
        try (ModelSession session = ModelSession.open(config.model, 1)) {
            if (session.output() != ModelSession.Output.CLASSIFICATION) {
                throw new JobSpecException(config.spec().file() + ": nothing to evaluate: the bundle is a "
                        + session.task() + " bundle and the job has no classify.labels");
            }
            Set<String> labels = new LinkedHashSet<>(
                    config.labels.isEmpty()
                            ? session.manifest().labels()
                            : config.labels.stream().map(LabelSpec::name).toList());
            rows.forEach(row -> labels.add(row.get("label").asText()));
            Predictions predicted = session.predict(inputs);
            for (int i = 0; i < rows.size(); i++) {
                if (predicted.error(i) != null) {
                    throw new JobSpecException(data + ": row " + rows.get(i) + ": " + predicted.error(i));
                }
            }
            List<Prediction> predictions = predicted.results();
            List<Outcome> outcomes = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                Classification c = (Classification) predictions.get(i);
                outcomes.add(new Outcome(
                        rows.get(i).path(config.idField).asText(""),
                        inputs.get(i).text(),
                        rows.get(i).get("label").asText(),
                        c.label(),
                        c.score()));
            }
            return new Evaluation(List.copyOf(labels), outcomes);
        }
    }

    public double accuracy() {
        return outcomes.isEmpty()
                ? 0
                : outcomes.stream()
                                .filter(o -> o.expected().equals(o.predicted()))
                                .count()
                        / (double) outcomes.size();
    }

    public List<Outcome> outcomes() {
        return outcomes;
    }

    /** Accuracy, the confusion matrix (rows: true label, columns: predicted) and the mistakes. */
    public String report() {
        StringBuilder out = new StringBuilder();
        long correct = outcomes.stream()
                .filter(o -> o.expected().equals(o.predicted()))
                .count();
        out.append(String.format(
                Locale.ROOT, "accuracy %.1f%% (%d of %d)%n%n", 100 * accuracy(), correct, outcomes.size()));
        int width = Math.max(10, labels.stream().mapToInt(String::length).max().orElse(0) + 2);
        int first = Math.max(width, 18);
        out.append(String.format(Locale.ROOT, "%-" + first + "s", "true \\ predicted"));
        labels.forEach(l -> out.append(String.format(Locale.ROOT, "%" + width + "s", l)));
        out.append('\n');
        for (String truth : labels) {
            out.append(String.format(Locale.ROOT, "%-" + first + "s", truth));
            for (String predicted : labels) {
                long n = outcomes.stream()
                        .filter(o -> o.expected().equals(truth) && o.predicted().equals(predicted))
                        .count();
                out.append(String.format(Locale.ROOT, "%" + width + "d", n));
            }
            out.append('\n');
        }
        List<Outcome> wrong = outcomes.stream()
                .filter(o -> !o.expected().equals(o.predicted()))
                .toList();
        if (!wrong.isEmpty()) {
            out.append("\nmistakes:\n");
            wrong.forEach(o -> out.append(String.format(
                    Locale.ROOT,
                    "  %s  %s -> %s (%.2f)  %s%n",
                    o.id(),
                    o.expected(),
                    o.predicted(),
                    o.score(),
                    o.text())));
        }
        return out.toString();
    }
}
