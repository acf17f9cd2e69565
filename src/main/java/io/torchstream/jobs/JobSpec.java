package io.torchstream.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * A job file as dotted keys ({@code batch.max-size: 8}), with {@code --set} overrides applied. Paths
 * in the file are relative to the file's folder. Lists of objects (such as {@code classify.labels}) are
 * structured keys: kept as trees for the options that read them, and their keys known, so that a
 * misspelt one is found like any other.
 */
public final class JobSpec {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Path file;
    private final Map<String, String> values;
    private final Map<String, JsonNode> structured;
    private final Set<String> fromCommandLine;

    private JobSpec(
            Path file, Map<String, String> values, Map<String, JsonNode> structured, Set<String> fromCommandLine) {
        this.file = file;
        this.values = Collections.unmodifiableMap(values);
        this.structured = Collections.unmodifiableMap(structured);
        this.fromCommandLine = fromCommandLine;
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
            throw new JobSpecException(
                    file + ": a job file is a YAML mapping of keys such as model.bundle and input.type");
        }
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, JsonNode> structured = new LinkedHashMap<>();
        flatten("", root, values, structured);
        return new JobSpec(file.toAbsolutePath().normalize(), values, structured, Set.of());
    }

    /** A job with no file: keys from the command line only. */
    public static JobSpec empty(Path baseDir) {
        return new JobSpec(
                baseDir.toAbsolutePath().resolve("command-line"),
                new LinkedHashMap<>(),
                new LinkedHashMap<>(),
                Set.of());
    }

    private static void flatten(
            String prefix, JsonNode node, Map<String, String> values, Map<String, JsonNode> structured) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), values, structured);
            }
        } else if (node.isArray()) {
            StringJoiner joined = new StringJoiner(";");
            for (JsonNode item : node) {
                if (item.isContainerNode()) {
                    structured.put(prefix, node);
                    return;
                }
                joined.add(item.asText());
            }
            values.put(prefix, joined.toString());
        } else if (!node.isNull()) {
            values.put(prefix, node.asText());
        }
    }

    /** Applies {@code KEY=VALUE}; the value replaces whatever the file says, and an empty value unsets the key. */
    public JobSpec with(String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new JobSpecException(
                    "--set expects KEY=VALUE (such as batch.max-wait=50ms, or KEY= to unset KEY), got '" + assignment
                            + "'");
        }
        return with(
                assignment.substring(0, eq).trim(), assignment.substring(eq + 1).trim());
    }

    /** Sets {@code key} to {@code value}, or unsets it (and whatever the file has under it) when the value is empty. */
    public JobSpec with(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(values);
        Map<String, JsonNode> structuredCopy = new LinkedHashMap<>(structured);
        if (value.isEmpty()) {
            copy.keySet().removeIf(k -> k.equals(key) || k.startsWith(key + "."));
            structuredCopy.keySet().removeIf(k -> k.equals(key) || k.startsWith(key + "."));
        } else {
            copy.put(key, value);
            structuredCopy.remove(key);
        }
        Set<String> overridden = new HashSet<>(fromCommandLine);
        overridden.add(key);
        return new JobSpec(file, copy, structuredCopy, Set.copyOf(overridden));
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

    /** The plain keys and their values; lists of scalars are joined with ';'. */
    public Map<String, String> values() {
        return values;
    }

    /** The list of objects at a dotted key, or a missing node. */
    public JsonNode structured(String key) {
        return structured.getOrDefault(key, MissingNode.getInstance());
    }

    /** Every key the job sets: the plain ones and the structured ones. */
    public Set<String> keys() {
        Set<String> keys = new LinkedHashSet<>(values.keySet());
        keys.addAll(structured.keySet());
        return keys;
    }
}
