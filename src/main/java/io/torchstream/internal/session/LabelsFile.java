package io.torchstream.internal.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.torchstream.internal.task.LabelSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Labels for classification by description: a list of {@code {name, description, examples}}, written
 * inline in a job file ({@code classify.labels}) or in a labels file, a YAML mapping whose top-level
 * {@code labels} is that list. Other top-level keys of a file are ignored, so one file can carry
 * comments and notes for every kind of job.
 */
public final class LabelsFile {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> FIELDS = Set.of("name", "description", "examples");

    private LabelsFile() {}

    /**
     * Reads the labels; does not judge them (see {@link io.torchstream.internal.task.LabelClassifier#validate}).
     *
     * @throws IllegalArgumentException naming the file, the entry and what was expected
     */
    public static List<LabelSpec> read(Path file) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot be read as YAML (" + e.getMessage() + ")", e);
        }
        JsonNode list = root == null ? null : root.path("labels");
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException(
                    file + ": expected a top-level 'labels' list of {name, description, examples}");
        }
        return parse(file + ": labels", list);
    }

    /**
     * Parses a list of labels.
     *
     * @param origin where the list was written, for messages ({@code job.yaml: classify.labels})
     * @throws IllegalArgumentException naming the origin, the entry and what was expected
     */
    public static List<LabelSpec> parse(String origin, JsonNode list) {
        if (!list.isArray()) {
            throw new IllegalArgumentException(origin + " must be a list of {name, description, examples}");
        }
        List<LabelSpec> labels = new ArrayList<>();
        for (JsonNode item : list) {
            String where = origin + "[" + labels.size() + "]";
            if (!item.isObject()) {
                throw new IllegalArgumentException(where + " must be an object with name, description and examples");
            }
            for (Iterator<String> names = item.fieldNames(); names.hasNext(); ) {
                String field = names.next();
                if (!FIELDS.contains(field)) {
                    throw new IllegalArgumentException(
                            where + ": unknown field '" + field + "'; expected name, description, examples");
                }
            }
            List<String> examples = new ArrayList<>();
            JsonNode ex = item.path("examples");
            if (!ex.isMissingNode() && !ex.isNull()) {
                if (!ex.isArray()) {
                    throw new IllegalArgumentException(where + ": examples must be a list of texts");
                }
                for (JsonNode e : ex) {
                    if (!e.isTextual()) {
                        throw new IllegalArgumentException(where + ": examples must be texts, found " + e);
                    }
                    examples.add(e.asText());
                }
            }
            labels.add(new LabelSpec(
                    item.path("name").asText(null), item.path("description").asText(null), examples));
        }
        return List.copyOf(labels);
    }
}
