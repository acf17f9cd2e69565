package io.torchstream.internal.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed, validated bundle.json: what the model is, how it was traced and verified, and the
 * digests of the files beside it. The exporter (export/torchstream_export) writes it.
 */
public final class BundleManifest implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String FORMAT = "torchstream-bundle";
    public static final int FORMAT_VERSION = 1;
    public static final String MODEL_FILE = "model.pt";
    public static final String TOKENIZER_FILE = "tokenizer.json";

    private static final Set<String> KNOWN_INPUTS = Set.of("input_ids", "attention_mask", "token_type_ids");
    private static final String REEXPORT = "re-export the bundle with bin/torchstream export";

    /** A file's expected digest and size. */
    public record FileDigest(String sha256, long bytes) implements Serializable {}

    private final String name;
    private final String source;
    private final Task task;
    private final String architecture;
    private final List<String> inputs;
    private final int outputWidth;
    private final TraceShape traceShape;
    private final List<TraceShape> shapes;
    private final long padTokenId;
    private final long padTokenTypeId;
    private final int maxLength;
    private final List<String> labels;
    private final ScoreFunction scoreFunction;
    private final boolean textPair;
    private final Pooling pooling;
    private final Map<String, String> versions;
    private final double verifiedMaxAbsDiff;
    private final String quantization;
    private final Map<String, FileDigest> files;

    private BundleManifest(Path file, JsonNode root) {
        Reader r = new Reader(file, root);
        String format = r.text("format");
        if (!FORMAT.equals(format)) {
            throw r.fail(
                    "format is '" + format + "', not '" + FORMAT + "': this is not a torchstream bundle; " + REEXPORT);
        }
        int version = r.integer(root, "format_version");
        if (version != FORMAT_VERSION) {
            throw r.fail("format_version is " + version + " but this torchstream reads " + FORMAT_VERSION + ": "
                    + REEXPORT + " from this release");
        }
        name = r.text("name");
        source = root.path("source").asText("");
        try {
            task = Task.fromId(r.text("task"));
        } catch (IllegalArgumentException e) {
            throw r.fail(e.getMessage() + "; " + REEXPORT + " with a supported --task");
        }
        architecture = root.path("architecture").asText("");

        inputs = Collections.unmodifiableList(r.strings(root, "inputs"));
        if (inputs.isEmpty()
                || !inputs.get(0).equals("input_ids")
                || !inputs.contains("attention_mask")
                || !KNOWN_INPUTS.containsAll(inputs)
                || Set.copyOf(inputs).size() != inputs.size()) {
            throw r.fail("inputs " + inputs + " are not supported: expected input_ids first, attention_mask, and"
                    + " optionally token_type_ids; " + REEXPORT);
        }

        JsonNode trace = r.object(root, "trace");
        traceShape = r.shape(trace, "trace");
        List<TraceShape> parsedShapes = new ArrayList<>();
        for (JsonNode shape : r.array(root, "shapes")) {
            parsedShapes.add(r.shape(shape, "shapes"));
        }
        if (!parsedShapes.contains(traceShape)) {
            throw r.fail("shapes " + parsedShapes + " do not include the traced shape " + traceShape + "; " + REEXPORT);
        }
        Collections.sort(parsedShapes);
        shapes = Collections.unmodifiableList(parsedShapes);

        JsonNode output = r.object(root, "output");
        List<Integer> outputShape = r.integers(output, "shape");
        if (outputShape.isEmpty()) {
            throw r.fail("output.shape is empty; " + REEXPORT);
        }
        outputWidth = outputShape.get(outputShape.size() - 1);

        JsonNode tokenizer = r.object(root, "tokenizer");
        padTokenId = r.integer(tokenizer, "pad_token_id");
        padTokenTypeId = tokenizer.path("pad_token_type_id").asLong(0);
        maxLength = r.integer(tokenizer, "max_length");
        int longest = parsedShapes.stream().mapToInt(TraceShape::seqLen).max().orElseThrow();
        if (maxLength != longest) {
            throw r.fail("tokenizer.max_length " + maxLength + " differs from the longest shape " + longest + "; "
                    + REEXPORT);
        }

        if (task == Task.EMBEDDING) {
            JsonNode node = r.object(root, "pooling");
            try {
                pooling = new Pooling(
                        Pooling.Mode.fromId(r.text(node, "mode")),
                        node.path("normalize").asBoolean(false));
            } catch (IllegalArgumentException e) {
                throw r.fail("pooling: " + e.getMessage());
            }
            labels = List.of();
            scoreFunction = null;
        } else {
            pooling = null;
            labels = Collections.unmodifiableList(r.strings(root, "labels"));
            if (labels.isEmpty()) {
                throw r.fail("labels is empty: a " + task + " bundle needs its model's id2label; " + REEXPORT);
            }
            if (Set.copyOf(labels).size() != labels.size()) {
                throw r.fail(
                        "labels " + labels + " contain duplicates; fix id2label in the model config and re-export");
            }
            if (labels.size() != outputWidth) {
                throw r.fail("names " + labels.size() + " labels but the model outputs " + outputWidth + " scores; "
                        + REEXPORT);
            }
            scoreFunction = task == Task.SEQUENCE_CLASSIFICATION ? r.scoreFunction(root) : ScoreFunction.SOFTMAX;
        }
        textPair = root.path("text_pair").asBoolean(false);

        Map<String, String> parsedVersions = new LinkedHashMap<>();
        root.path("versions")
                .fields()
                .forEachRemaining(
                        e -> parsedVersions.put(e.getKey(), e.getValue().asText()));
        versions = Collections.unmodifiableMap(parsedVersions);
        verifiedMaxAbsDiff = root.path("verification").path("max_abs_diff").asDouble(Double.NaN);
        JsonNode q = root.path("quantization");
        quantization = q.isObject()
                ? q.path("dtype").asText() + " " + q.path("method").asText() + " "
                        + q.path("scheme").asText()
                        + ", engine " + q.path("engine").asText() + ", drift from fp32 "
                        + q.path("drift").path("drift").asText()
                : null;

        Map<String, FileDigest> parsedFiles = new LinkedHashMap<>();
        JsonNode fileNodes = r.object(root, "files");
        for (String required : List.of(MODEL_FILE, TOKENIZER_FILE)) {
            JsonNode entry = fileNodes.path(required);
            if (!entry.isObject() || !entry.path("sha256").isTextual()) {
                throw r.fail("files has no sha256 for " + required + "; " + REEXPORT);
            }
            parsedFiles.put(
                    required,
                    new FileDigest(
                            entry.get("sha256").asText(), entry.path("bytes").asLong(-1)));
        }
        files = Collections.unmodifiableMap(parsedFiles);
    }

    /** Reads and validates {@code bundle.json}. */
    public static BundleManifest read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new BundleException(file, "cannot be read as JSON (" + e.getMessage() + "); " + REEXPORT, e);
        }
        if (root == null || !root.isObject()) {
            throw new BundleException(file, "is not a JSON object; " + REEXPORT);
        }
        return new BundleManifest(file, root);
    }

    public String name() {
        return name;
    }

    /** The hub id or folder the model was exported from. */
    public String source() {
        return source;
    }

    public Task task() {
        return task;
    }

    public String architecture() {
        return architecture;
    }

    /** The model's inputs in the order its traced forward() takes them. */
    public List<String> inputs() {
        return inputs;
    }

    /** The last dimension of the model's first output: labels, or hidden size for embeddings. */
    public int outputWidth() {
        return outputWidth;
    }

    /** The shape the model was traced at. */
    public TraceShape traceShape() {
        return traceShape;
    }

    /** Every shape the exporter verified equal to eager, smallest first; the trace shape among them. */
    public List<TraceShape> shapes() {
        return shapes;
    }

    public long padTokenId() {
        return padTokenId;
    }

    public long padTokenTypeId() {
        return padTokenTypeId;
    }

    /** Texts are truncated to this many tokens, special tokens included. */
    public int maxLength() {
        return maxLength;
    }

    /** Class labels in output order; empty for embeddings. */
    public List<String> labels() {
        return labels;
    }

    /** Softmax or sigmoid; null for embeddings. */
    public ScoreFunction scoreFunction() {
        return scoreFunction;
    }

    /** Whether the classifier was exported for sentence pairs. */
    public boolean textPair() {
        return textPair;
    }

    /** Pooling for embedding bundles; null otherwise. */
    public Pooling pooling() {
        return pooling;
    }

    public Map<String, String> versions() {
        return versions;
    }

    /** The exporter's measured max abs difference, traced vs eager, at the trace shape. */
    public double verifiedMaxAbsDiff() {
        return verifiedMaxAbsDiff;
    }

    /**
     * How the exporter quantized the model ({@code qint8 dynamic per-channel, engine x86, drift from fp32 ...}),
     * or null for a float model. libtorch picks its default quantized engine, x86 on x86-64, which DJL does not
     * let a caller set; the exporter records the engine it verified with.
     */
    public String quantization() {
        return quantization;
    }

    public Map<String, FileDigest> files() {
        return files;
    }

    /** Field access that fails with a message naming bundle.json and the field. */
    private static final class Reader {
        private final Path file;
        private final JsonNode root;

        Reader(Path file, JsonNode root) {
            this.file = file;
            this.root = root;
        }

        BundleException fail(String message) {
            return new BundleException(file, message);
        }

        String text(String field) {
            return text(root, field);
        }

        String text(JsonNode node, String field) {
            JsonNode value = node.get(field);
            if (value == null || !value.isTextual() || value.asText().isEmpty()) {
                throw fail("'" + field + "' is missing or not a string; " + REEXPORT);
            }
            return value.asText();
        }

        int integer(JsonNode node, String field) {
            JsonNode value = node.get(field);
            if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
                throw fail("'" + field + "' is missing or not an integer; " + REEXPORT);
            }
            return value.asInt();
        }

        JsonNode object(JsonNode node, String field) {
            JsonNode value = node.get(field);
            if (value == null || !value.isObject()) {
                throw fail("'" + field + "' is missing or not an object; " + REEXPORT);
            }
            return value;
        }

        JsonNode array(JsonNode node, String field) {
            JsonNode value = node.get(field);
            if (value == null || !value.isArray()) {
                throw fail("'" + field + "' is missing or not a list; " + REEXPORT);
            }
            return value;
        }

        List<String> strings(JsonNode node, String field) {
            List<String> values = new ArrayList<>();
            for (JsonNode item : array(node, field)) {
                if (!item.isTextual()) {
                    throw fail("'" + field + "' must list strings, found " + item + "; " + REEXPORT);
                }
                values.add(item.asText());
            }
            return values;
        }

        List<Integer> integers(JsonNode node, String field) {
            List<Integer> values = new ArrayList<>();
            for (JsonNode item : array(node, field)) {
                if (!item.isIntegralNumber()) {
                    throw fail("'" + field + "' must list integers, found " + item + "; " + REEXPORT);
                }
                values.add(item.asInt());
            }
            return values;
        }

        TraceShape shape(JsonNode node, String field) {
            int batch = integer(node, "batch");
            int seqLen = integer(node, "seq_len");
            if (batch < 1 || seqLen < 2) {
                throw fail("'" + field + "' has an impossible shape " + batch + "x" + seqLen + "; " + REEXPORT);
            }
            return new TraceShape(batch, seqLen);
        }

        ScoreFunction scoreFunction(JsonNode node) {
            try {
                return ScoreFunction.fromId(text(node, "scores"));
            } catch (IllegalArgumentException e) {
                throw fail(e.getMessage() + "; " + REEXPORT);
            }
        }
    }
}
