package io.torchstream.sql;

import io.torchstream.bundle.BundleException;
import io.torchstream.bundle.BundleManifest;
import io.torchstream.bundle.ModelBundle;
import io.torchstream.bundle.Task;
import io.torchstream.bundle.TraceShape;
import io.torchstream.flink.ModelSettings;
import io.torchstream.flink.ModelSharing;
import io.torchstream.task.Aggregation;
import io.torchstream.task.LabelClassifier;
import io.torchstream.task.LabelSpec;
import io.torchstream.task.ShapePolicy;
import io.torchstream.task.TokenTagger;
import io.torchstream.text.TextInput;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalTypeFamily;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A torchscript model's options and schemas, validated in one place when a query is planned and
 * resolved into what the predict function needs on the TaskManagers: the bundle's absolute path, the
 * labels read from their file, the checked OUTPUT columns. Every message names the model, the key,
 * the value and what was expected.
 */
@Internal
final class TorchScriptModelSpec implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String model;
    private final String bundle;
    private final String bundleName;
    private final Task task;
    private final boolean textPair;
    private final int threads;
    private final ModelSharing sharing;
    private final ShapePolicy shapes;
    private final int batchMaxSize;
    private final List<Integer> bundleBatches;
    private final Duration batchMaxWait;
    private final List<LabelSpec> labels;
    private final double scale;
    private final ModelSettings.Tagging tagging;
    private final PredictionColumns columns;

    private TorchScriptModelSpec(String model, String bundle, BundleManifest manifest, int threads, ModelSharing sharing,
            ShapePolicy shapes, int batchMaxSize, Duration batchMaxWait, List<LabelSpec> labels, double scale,
            ModelSettings.Tagging tagging, PredictionColumns columns) {
        this.model = model;
        this.bundle = bundle;
        this.bundleName = manifest.name();
        this.task = manifest.task();
        this.textPair = manifest.textPair();
        this.bundleBatches = List.copyOf(manifest.shapes().stream().map(TraceShape::batch).distinct().sorted().toList());
        this.threads = threads;
        this.sharing = sharing;
        this.shapes = shapes;
        this.batchMaxSize = batchMaxSize;
        this.batchMaxWait = batchMaxWait;
        this.labels = List.copyOf(labels);
        this.scale = scale;
        this.tagging = tagging;
        this.columns = columns;
    }

    /**
     * Validates a model's options (already checked for unknown and missing keys by Flink's helper) and
     * its INPUT and OUTPUT schemas against its bundle.
     *
     * @param model the model's name, for messages
     * @param options the model's options, typed
     * @param raw the options as written, to tell what was set from what defaults
     * @throws ValidationException naming the model, the option or column, the value and the expectation
     */
    static TorchScriptModelSpec resolve(String model, ReadableConfig options, Map<String, String> raw, ResolvedSchema input,
            ResolvedSchema output) {
        Validator v = new Validator("Model " + model, options, raw);

        String bundleValue = v.get(TorchScriptModelOptions.BUNDLE, "a bundle folder");
        if (bundleValue == null || bundleValue.isBlank()) {
            throw v.fail(TorchScriptModelOptions.BUNDLE, "must name the bundle folder that bin/torchstream export wrote");
        }
        Path bundlePath = Path.of(bundleValue).toAbsolutePath().normalize();
        int threads = v.get(TorchScriptModelOptions.THREADS, "an integer");
        if (threads < 0) {
            throw v.fail(TorchScriptModelOptions.THREADS, "must be >= 0 (0: cores / parallelism)");
        }
        ModelSharing sharing = v.choice(TorchScriptModelOptions.SHARING,
                Map.of("task-manager", ModelSharing.TASK_MANAGER, "per-slot", ModelSharing.PER_SLOT));
        ShapePolicy shapes = v.choice(TorchScriptModelOptions.SHAPES, Map.of("verified", ShapePolicy.VERIFIED, "traced", ShapePolicy.TRACED));
        int batchMaxSize = v.get(TorchScriptModelOptions.BATCH_MAX_SIZE, "an integer");
        if (batchMaxSize < 0) {
            throw v.fail(TorchScriptModelOptions.BATCH_MAX_SIZE, "must be >= 0 (0: the bundle's largest batch that fits"
                    + " twice in max-concurrent-operations)");
        }
        Duration batchMaxWait = v.get(TorchScriptModelOptions.BATCH_MAX_WAIT, "a duration such as 20ms or 1s");
        if (batchMaxWait.isNegative()) {
            throw v.fail(TorchScriptModelOptions.BATCH_MAX_WAIT, "must not be negative");
        }
        double scale = v.get(TorchScriptModelOptions.SCALE, "a number such as 40");
        Aggregation aggregation;
        try {
            aggregation = Aggregation.fromId(v.get(TorchScriptModelOptions.TAGGING_AGGREGATION, "an aggregation"));
        } catch (IllegalArgumentException e) {
            throw v.fail(TorchScriptModelOptions.TAGGING_AGGREGATION, e.getMessage().replaceFirst("^unknown aggregation '[^']*': ", ""));
        }
        int stride = v.get(TorchScriptModelOptions.TAGGING_STRIDE, "an integer");
        if (stride < -1) {
            throw v.fail(TorchScriptModelOptions.TAGGING_STRIDE, "must be >= 0 (or -1 for a quarter of the model's length)");
        }
        List<String> ignoreLabels = v.get(TorchScriptModelOptions.TAGGING_IGNORE_LABELS, "a ';'-separated list of labels");
        ModelSettings.Tagging tagging = new ModelSettings.Tagging(aggregation, stride, ignoreLabels);

        ModelBundle bundle;
        try {
            bundle = ModelBundle.open(bundlePath);
        } catch (BundleException e) {
            throw v.fail(TorchScriptModelOptions.BUNDLE, "is not a usable bundle: " + e.getMessage(), e);
        }
        BundleManifest manifest = bundle.manifest();
        String where = "Model " + model + " (bundle " + manifest.name() + ", " + manifest.task() + ")";
        v = v.at(where);

        List<LabelSpec> labels = List.of();
        if (v.isSet(TorchScriptModelOptions.LABELS_FILE)) {
            if (manifest.task() != Task.EMBEDDING) {
                throw v.fail(TorchScriptModelOptions.LABELS_FILE, "classifies with an embedding bundle, but " + bundlePath + " is a "
                        + manifest.task() + " bundle; remove 'labels-file' or use an embedding bundle");
            }
            Path file = Path.of(v.get(TorchScriptModelOptions.LABELS_FILE, "a file")).toAbsolutePath().normalize();
            try {
                labels = LabelsFile.read(file);
                LabelClassifier.validate(labels, scale);
            } catch (IllegalArgumentException e) {
                throw v.fail(TorchScriptModelOptions.LABELS_FILE, e.getMessage(), e);
            }
        } else if (v.isSet(TorchScriptModelOptions.SCALE)) {
            throw v.fail(TorchScriptModelOptions.SCALE, "only applies with 'labels-file' (classification by label descriptions)");
        }
        boolean taggingSet = TorchScriptModelOptions.tagging().stream().anyMatch(v::isSet);
        if (manifest.task() == Task.TOKEN_CLASSIFICATION) {
            try {
                TokenTagger.check(bundle, stride, Set.copyOf(ignoreLabels));
            } catch (IllegalArgumentException e) {
                throw new ValidationException(where + ": " + e.getMessage(), e);
            }
        } else if (taggingSet) {
            ConfigOption<?> option = TorchScriptModelOptions.tagging().stream().filter(v::isSet).findFirst().orElseThrow();
            throw v.fail(option, "only applies to token-classification bundles");
        }

        checkInput(where, manifest, input);
        PredictionColumns.Kind kind = switch (manifest.task()) {
            case SEQUENCE_CLASSIFICATION -> PredictionColumns.Kind.CLASSIFICATION;
            case TOKEN_CLASSIFICATION -> PredictionColumns.Kind.TAGGING;
            case EMBEDDING -> labels.isEmpty() ? PredictionColumns.Kind.EMBEDDING : PredictionColumns.Kind.LABELS;
        };
        PredictionColumns columns = PredictionColumns.check(where, kind, output);
        return new TorchScriptModelSpec(model, bundlePath.toString(), manifest, threads, sharing, shapes, batchMaxSize,
                batchMaxWait, labels, scale, tagging, columns);
    }

    private static void checkInput(String where, BundleManifest manifest, ResolvedSchema input) {
        List<Column> columns = input.getColumns();
        int expected = manifest.textPair() ? 2 : 1;
        boolean strings = columns.stream().allMatch(c -> c.isPhysical()
                && c.getDataType().getLogicalType().is(LogicalTypeFamily.CHARACTER_STRING));
        if (columns.size() == expected && strings) {
            return;
        }
        String found = columns.stream().map(c -> c.getName() + " " + c.getDataType().getLogicalType().asSummaryString())
                .collect(Collectors.joining(", ", "(", ")"));
        if (manifest.textPair()) {
            throw new ValidationException(where + ": INPUT must be two STRING columns, the text and its pair, such as"
                    + " (text STRING, text_pair STRING): the bundle is a sentence-pair model; found " + found);
        }
        throw new ValidationException(where + ": INPUT must be one STRING column, the text, such as (text STRING); found "
                + found + (columns.size() == 2 ? "; two columns are for sentence-pair bundles, and this one is not" : ""));
    }

    /**
     * The most rows per micro-batch under ML_PREDICT's async settings, which are only known per query.
     *
     * @param maxConcurrent the rows ML_PREDICT keeps in flight per parallel instance
     * @param timeout ML_PREDICT's async timeout per row
     * @throws ValidationException if a batch could never fill, or rows could time out while waiting
     */
    int batchSize(int maxConcurrent, Duration timeout) {
        if (batchMaxSize > maxConcurrent) {
            throw new ValidationException("Model " + model + ": '" + TorchScriptModelOptions.BATCH_MAX_SIZE.key() + "' = '"
                    + batchMaxSize + "' exceeds the " + maxConcurrent + " rows ML_PREDICT keeps in flight"
                    + " (max-concurrent-operations): such a batch could never fill, and every row would wait '"
                    + TorchScriptModelOptions.BATCH_MAX_WAIT.key() + "'. Set '" + TorchScriptModelOptions.BATCH_MAX_SIZE.key()
                    + "' to at most " + maxConcurrent + ", or raise max-concurrent-operations to at least " + batchMaxSize
                    + " (ML_PREDICT(..., MAP['max-concurrent-operations', '" + batchMaxSize + "']) or SET"
                    + " 'table.exec.async-ml-predict.max-concurrent-operations' = '" + batchMaxSize + "')");
        }
        if (batchMaxWait.compareTo(timeout) >= 0) {
            throw new ValidationException("Model " + model + ": '" + TorchScriptModelOptions.BATCH_MAX_WAIT.key() + "' = '"
                    + batchMaxWait.toMillis() + " ms' is not shorter than ML_PREDICT's async timeout of " + timeout.toMillis()
                    + " ms: rows would time out while their batch fills. Lower it, or raise the timeout (the ML_PREDICT"
                    + " config map's 'timeout' or table.exec.async-ml-predict.timeout)");
        }
        return batchMaxSize > 0 ? batchMaxSize : automaticBatchSize(bundleBatches, maxConcurrent);
    }

    /**
     * The largest batch the bundle was verified at that fits twice in the rows in flight: while one
     * batch runs, the next can fill, so batches stay full even when the task thread is slow to hand in
     * rows. A batch between verified sizes would be padded to the next one, so those are avoided.
     */
    static int automaticBatchSize(List<Integer> bundleBatches, int maxConcurrent) {
        int half = Math.max(1, maxConcurrent / 2);
        int chosen = 0;
        for (int batch : bundleBatches) {
            if (batch <= half) {
                chosen = batch;
            }
        }
        return chosen > 0 ? chosen : Math.min(half, bundleBatches.get(bundleBatches.size() - 1));
    }

    /** The model input of one ML_PREDICT row (the DESCRIPTOR columns), or null if a column is NULL. */
    TextInput input(RowData row) {
        if (row.isNullAt(0) || textPair && row.isNullAt(1)) {
            return null;
        }
        String text = row.getString(0).toString();
        return textPair ? TextInput.pair(text, row.getString(1).toString()) : TextInput.of(text);
    }

    String model() {
        return model;
    }

    String bundle() {
        return bundle;
    }

    String bundleName() {
        return bundleName;
    }

    Task task() {
        return task;
    }

    int threads() {
        return threads;
    }

    ModelSharing sharing() {
        return sharing;
    }

    ShapePolicy shapes() {
        return shapes;
    }

    Duration batchMaxWait() {
        return batchMaxWait;
    }

    List<LabelSpec> labels() {
        return labels;
    }

    double scale() {
        return scale;
    }

    ModelSettings.Tagging tagging() {
        return tagging;
    }

    PredictionColumns columns() {
        return columns;
    }

    /** Typed option access whose failures name the model, the key, the value and the expectation. */
    private static final class Validator {
        private final String where;
        private final ReadableConfig options;
        private final Map<String, String> raw;

        Validator(String where, ReadableConfig options, Map<String, String> raw) {
            this.where = where;
            this.options = options;
            this.raw = raw;
        }

        Validator at(String newWhere) {
            return new Validator(newWhere, options, raw);
        }

        boolean isSet(ConfigOption<?> option) {
            return raw.containsKey(option.key());
        }

        <T> T get(ConfigOption<T> option, String expected) {
            try {
                return options.get(option);
            } catch (IllegalArgumentException e) {
                throw fail(option, "is not valid; expected " + expected, e);
            }
        }

        <T> T choice(ConfigOption<String> option, Map<String, T> choices) {
            String value = get(option, "one of " + String.join(", ", choices.keySet()));
            T chosen = choices.get(value);
            if (chosen == null) {
                throw fail(option, "expected one of " + choices.keySet().stream().sorted().collect(Collectors.joining(", ")));
            }
            return chosen;
        }

        ValidationException fail(ConfigOption<?> option, String problem) {
            return fail(option, problem, null);
        }

        ValidationException fail(ConfigOption<?> option, String problem, Throwable cause) {
            String value = raw.get(option.key());
            return new ValidationException(where + ": '" + option.key() + "'" + (value == null ? "" : " = '" + value + "'") + " "
                    + problem, cause);
        }
    }
}
