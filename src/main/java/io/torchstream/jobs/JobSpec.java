package io.torchstream.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * A job file as dotted keys ({@code batch.max-size: 8}), with {@code --set} overrides applied. Paths
 * in the file are relative to the file's folder. Sections that are structured (lists of objects) are
 * kept as trees for the options that read them.
 */
public final class JobSpec {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Path file;
    private final Map<String, String> values;
    private final Set<String> fromCommandLine;
    private final ObjectNode tree;

    private JobSpec(Path file, Map<String, String> values, Set<String> fromCommandLine, ObjectNode tree) {
        this.file = file;
        this.values = values;
        this.fromCommandLine = fromCommandLine;
        this.tree = tree;
    }

    /** Reads a job YAML file. */
    public static JobSpec load(Path file) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new JobSpecException(file + ": cannot be read as YAML (" + e.getMessage() + ")", e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = YAML.createObjectNode();
        }
        if (!root.isObject()) {
            throw new JobSpecException(file + ": a job file is a YAML mapping of keys such as model.bundle and input.type");
        }
        Map<String, String> values = new LinkedHashMap<>();
        flatten(file, "", root, values);
        return new JobSpec(file.toAbsolutePath().normalize(), values, Set.of(), (ObjectNode) root);
    }

    /** A job with no file: keys from the command line only. */
    public static JobSpec empty(Path baseDir) {
        return new JobSpec(baseDir.toAbsolutePath().resolve("command-line"), new LinkedHashMap<>(), Set.of(), YAML.createObjectNode());
    }

    private static void flatten(Path file, String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(file, prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (node.isArray()) {
            StringJoiner joined = new StringJoiner(";");
            for (JsonNode item : node) {
                if (item.isContainerNode()) {
                    // A structured section (such as labels): read from the tree by its own option.
                    return;
                }
                joined.add(item.asText());
            }
            out.put(prefix, joined.toString());
        } else if (!node.isNull()) {
            out.put(prefix, node.asText());
        }
    }

    /** Applies {@code KEY=VALUE}; the value replaces whatever the file says. */
    public JobSpec with(String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new JobSpecException("--set expects KEY=VALUE (such as batch.max-wait=50ms), got '" + assignment + "'");
        }
        return with(assignment.substring(0, eq).trim(), assignment.substring(eq + 1).trim());
    }

    public JobSpec with(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(values);
        copy.put(key, value);
        Set<String> overridden = new HashSet<>(fromCommandLine);
        overridden.add(key);
        return new JobSpec(file, copy, Set.copyOf(overridden), tree);
    }

    /** The job file (or a stand-in for command-line-only jobs). */
    public Path file() {
        return file;
    }

    /**
     * Resolves a path value: relative to the job file's folder when the file set it, to the current
     * directory when the command line did.
     */
    public Path resolvePath(String key, String value) {
        Path path = Path.of(value);
        if (path.isAbsolute()) {
            return path.normalize();
        }
        Path base = fromCommandLine.contains(key) ? Path.of("").toAbsolutePath() : file.getParent();
        return base.resolve(path).normalize();
    }

    public Map<String, String> values() {
        return values;
    }

    /** The structured section at a top-level key, or a missing node. */
    public JsonNode section(String key) {
        return tree.path(key);
    }
}
