package io.torchstream;

import io.torchstream.internal.session.ModelOptions;
import io.torchstream.internal.session.OptionReader;
import io.torchstream.internal.task.LabelSpec;

import org.apache.flink.configuration.ConfigOption;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A {@link ModelSpec} and a builder's batch settings as options, named in messages by the method that set them. */
final class SpecOptions extends OptionReader {

    private static final Map<String, String> METHODS = Map.ofEntries(
            Map.entry(ModelOptions.BUNDLE.key(), "ModelSpec.bundle"),
            Map.entry(ModelOptions.LABELS_FILE.key(), "ModelSpec.labelsFile"),
            Map.entry(ModelOptions.SCALE.key(), "ModelSpec.scale"),
            Map.entry(ModelOptions.THREADS.key(), "ModelSpec.threads"),
            Map.entry(ModelOptions.SHARING.key(), "ModelSpec.perSlot"),
            Map.entry(ModelOptions.SHAPES.key(), "ModelSpec.tracedShapeOnly"),
            Map.entry(ModelOptions.MAX_LENGTH.key(), "ModelSpec.maxLength"),
            Map.entry(ModelOptions.TRUNCATE.key(), "ModelSpec.truncate"),
            Map.entry(ModelOptions.TAGGING_AGGREGATION.key(), "ModelSpec.aggregation"),
            Map.entry(ModelOptions.TAGGING_STRIDE.key(), "ModelSpec.stride"),
            Map.entry(ModelOptions.TAGGING_IGNORE_LABELS.key(), "ModelSpec.ignoreLabels"),
            Map.entry(ModelOptions.BATCH_MAX_SIZE.key(), "batch"),
            Map.entry(ModelOptions.BATCH_MAX_WAIT.key(), "batch"));

    private final Map<String, String> options;
    private final List<Label> labels;

    SpecOptions(ModelSpec spec, Map<String, String> batch) {
        this.options = new HashMap<>(spec.options());
        this.options.putAll(batch);
        this.labels = spec.labels();
    }

    @Override
    public String raw(ConfigOption<?> option) {
        return options.get(option.key());
    }

    @Override
    protected Set<String> keys() {
        return options.keySet();
    }

    @Override
    public String origin() {
        return "ModelSpec.bundle(" + options.get(ModelOptions.BUNDLE.key()) + ")";
    }

    @Override
    public String name(ConfigOption<?> option) {
        return METHODS.getOrDefault(option.key(), option.key());
    }

    @Override
    protected String describe(ConfigOption<?> option, String value, String problem) {
        return name(option) + "(" + (value == null ? "" : value) + "): " + problem;
    }

    @Override
    protected RuntimeException error(String message, Throwable cause) {
        return new IllegalArgumentException(message, cause);
    }

    @Override
    public String inlineLabelsName() {
        return "ModelSpec.labels";
    }

    @Override
    public List<LabelSpec> inlineLabels() {
        return labels == null
                ? null
                : labels.stream()
                        .map(l -> new LabelSpec(l.name(), l.description(), l.examples()))
                        .toList();
    }
}
