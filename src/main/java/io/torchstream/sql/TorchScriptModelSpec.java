package io.torchstream.sql;

import io.torchstream.internal.bundle.BundleManifest;
import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.bundle.Task;
import io.torchstream.internal.bundle.TraceShape;
import io.torchstream.internal.session.ModelOptions;
import io.torchstream.internal.session.ModelSession;
import io.torchstream.internal.session.ModelSettings;
import io.torchstream.internal.session.ModelSharing;
import io.torchstream.internal.session.OptionReader;
import io.torchstream.internal.task.LabelSpec;
import io.torchstream.internal.task.ShapePolicy;
import io.torchstream.internal.text.TextInput;
import io.torchstream.sql.TorchScriptModelOptions.ErrorHandling;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalTypeFamily;

import java.io.Serializable;
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
    private final ModelSettings settings;
    private final String bundleName;
    private final Task task;
    private final boolean textPair;
    private final List<Integer> bundleBatches;
    private final PredictionColumns columns;
    private final ErrorHandling errorHandling;
    private final boolean refuseEmptyText;

    private TorchScriptModelSpec(
            String model,
            ModelSettings settings,
            BundleManifest manifest,
            PredictionColumns columns,
            ErrorHandling errorHandling,
            boolean refuseEmptyText) {
        this.model = model;
        this.settings = settings;
        this.errorHandling = errorHandling;
        this.refuseEmptyText = refuseEmptyText;
        this.bundleName = manifest.name();
        this.task = manifest.task();
        this.textPair = manifest.textPair();
        this.bundleBatches = List.copyOf(manifest.shapes().stream()
                .map(TraceShape::batch)
                .distinct()
                .sorted()
                .toList());
        this.columns = columns;
    }

    /**
     * Validates a model's options (already checked for unknown and missing keys by Flink's helper) and
     * its INPUT and OUTPUT schemas against its bundle.
     *
     * @param model the model's name, for messages
     * @param raw the options as written
     * @throws ValidationException naming the model, the option or column, the value and the expectation
     */
    static TorchScriptModelSpec resolve(
            String model, Map<String, String> raw, ResolvedSchema input, ResolvedSchema output) {
        ModelMapOptions options = new ModelMapOptions("Model " + model, raw);
        ModelSettings settings = ModelOptions.read(options);
        ErrorHandling errorHandling =
                options.choice(TorchScriptModelOptions.ERROR_HANDLING, ErrorHandling.values(), ErrorHandling::id);
        String emptyText = options.get(TorchScriptModelOptions.EMPTY_TEXT, "predict or error");
        if (!emptyText.equals("predict") && !emptyText.equals("error")) {
            throw options.fail(TorchScriptModelOptions.EMPTY_TEXT, "expected one of predict, error");
        }
        ModelBundle bundle = ModelOptions.openBundle(settings, options);
        BundleManifest manifest = bundle.manifest();
        String where = "Model " + model + " (bundle " + manifest.name() + ", " + manifest.task() + ")";
        options = new ModelMapOptions(where, raw);
        ModelOptions.checkAgainst(bundle, settings, options);
        checkInput(where, manifest, input);
        PredictionColumns.Kind kind = switch (ModelSession.outputOf(
                manifest.task(), !settings.labels().isEmpty())) {
            case CLASSIFICATION ->
                manifest.task() == Task.EMBEDDING
                        ? PredictionColumns.Kind.LABELS
                        : PredictionColumns.Kind.CLASSIFICATION;
            case ENTITIES ->
                settings.redaction().enabled() ? PredictionColumns.Kind.REDACTING : PredictionColumns.Kind.TAGGING;
            case EMBEDDING -> PredictionColumns.Kind.EMBEDDING;
        };
        PredictionColumns columns = PredictionColumns.check(where, kind, output, errorHandling == ErrorHandling.COLUMN);
        return new TorchScriptModelSpec(model, settings, manifest, columns, errorHandling, emptyText.equals("error"));
    }

    private static void checkInput(String where, BundleManifest manifest, ResolvedSchema input) {
        List<Column> columns = input.getColumns();
        int expected = manifest.textPair() ? 2 : 1;
        boolean strings = columns.stream()
                .allMatch(
                        c -> c.isPhysical() && c.getDataType().getLogicalType().is(LogicalTypeFamily.CHARACTER_STRING));
        if (columns.size() == expected && strings) {
            return;
        }
        String found = columns.stream()
                .map(c -> c.getName() + " " + c.getDataType().getLogicalType().asSummaryString())
                .collect(Collectors.joining(", ", "(", ")"));
        if (manifest.textPair()) {
            throw new ValidationException(where + ": INPUT must be two STRING columns, the text and its pair, such as"
                    + " (text STRING, text_pair STRING): the bundle is a sentence-pair model; found " + found);
        }
        throw new ValidationException(where
                + ": INPUT must be one STRING column, the text, such as (text STRING); found " + found
                + (columns.size() == 2 ? "; two columns are for sentence-pair bundles, and this one is not" : ""));
    }

    /**
     * The most rows per micro-batch under ML_PREDICT's async settings, which are only known per query.
     *
     * @param maxConcurrent the rows ML_PREDICT keeps in flight per parallel instance
     * @param timeout ML_PREDICT's async timeout per row
     * @throws ValidationException if a batch could never fill, or rows could time out while waiting
     */
    int batchSize(int maxConcurrent, Duration timeout) {
        int batchMaxSize = settings.batchMaxSize();
        Duration batchMaxWait = settings.batchMaxWait();
        if (batchMaxSize > maxConcurrent) {
            throw new ValidationException(
                    "Model " + model + ": '" + TorchScriptModelOptions.BATCH_MAX_SIZE.key() + "' = '"
                            + batchMaxSize + "' exceeds the " + maxConcurrent + " rows ML_PREDICT keeps in flight"
                            + " (max-concurrent-operations): such a batch could never fill, and every row would wait '"
                            + TorchScriptModelOptions.BATCH_MAX_WAIT.key() + "'. Set '"
                            + TorchScriptModelOptions.BATCH_MAX_SIZE.key()
                            + "' to at most " + maxConcurrent + ", or raise max-concurrent-operations to at least "
                            + batchMaxSize
                            + " (ML_PREDICT(..., MAP['max-concurrent-operations', '" + batchMaxSize + "']) or SET"
                            + " 'table.exec.async-ml-predict.max-concurrent-operations' = '" + batchMaxSize + "')");
        }
        if (batchMaxWait.compareTo(timeout) >= 0) {
            throw new ValidationException(
                    "Model " + model + ": '" + TorchScriptModelOptions.BATCH_MAX_WAIT.key() + "' = '"
                            + batchMaxWait.toMillis() + " ms' is not shorter than ML_PREDICT's async timeout of "
                            + timeout.toMillis()
                            + " ms: rows would time out while their batch fills. Lower it, or raise the timeout (the ML_PREDICT"
                            + " config map's 'timeout' or table.exec.async-ml-predict.timeout)");
        }
        return batchMaxSize > 0 ? batchMaxSize : ModelOptions.inFlightBatchSize(bundleBatches, maxConcurrent);
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

    /** The model options, resolved; the bundle's path is absolute. */
    ModelSettings settings() {
        return settings;
    }

    String bundle() {
        return settings.bundle();
    }

    String bundleName() {
        return bundleName;
    }

    Task task() {
        return task;
    }

    int threads() {
        return settings.threads();
    }

    ModelSharing sharing() {
        return settings.sharing();
    }

    ShapePolicy shapes() {
        return settings.shapes();
    }

    Duration batchMaxWait() {
        return settings.batchMaxWait();
    }

    List<LabelSpec> labels() {
        return settings.labels();
    }

    double scale() {
        return settings.labelScale();
    }

    ModelSettings.Tagging tagging() {
        return settings.tagging();
    }

    PredictionColumns columns() {
        return columns;
    }

    ErrorHandling errorHandling() {
        return errorHandling;
    }

    /** Why ML_PREDICT does not run the model on {@code input} at all, or null when it does. */
    String refusal(TextInput input) {
        if (refuseEmptyText
                && (input.text().isBlank() || input.isPair() && input.textPair().isBlank())) {
            return "empty text ('empty-text' = 'error')";
        }
        return null;
    }

    /** A model's options as {@code CREATE MODEL} wrote them, named in messages by the model and the option. */
    private static final class ModelMapOptions extends OptionReader {
        private final String where;
        private final Map<String, String> raw;

        ModelMapOptions(String where, Map<String, String> raw) {
            this.where = where;
            this.raw = raw;
        }

        @Override
        public String raw(ConfigOption<?> option) {
            return raw.get(option.key());
        }

        @Override
        protected Set<String> keys() {
            return raw.keySet();
        }

        @Override
        public String origin() {
            return where;
        }

        @Override
        public String name(ConfigOption<?> option) {
            return "'" + option.key() + "'";
        }

        @Override
        public String inlineLabelsName() {
            return null;
        }

        @Override
        public String automaticBatchSize() {
            return "the bundle's largest batch that fits twice in max-concurrent-operations";
        }

        @Override
        protected String describe(ConfigOption<?> option, String value, String problem) {
            return where + ": '" + option.key() + "'" + (value == null ? "" : " = '" + value + "'") + " " + problem;
        }

        @Override
        protected RuntimeException error(String message, Throwable cause) {
            return new ValidationException(message, cause);
        }
    }
}
