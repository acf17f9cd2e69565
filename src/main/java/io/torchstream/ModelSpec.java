package io.torchstream;

import io.torchstream.internal.session.ModelOptions;
import io.torchstream.internal.session.RedactionOptions;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;

import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model a stream runs through: a bundle folder that {@code bin/torchstream export} wrote, and how
 * to serve it. Immutable: each method returns a new spec. Checked against the bundle when the stream is
 * built, where a mistake fails with a message naming the method.
 *
 * <pre>{@code
 * ModelSpec.bundle("models/all-minilm-l6-v2").labelsFile("jobs/labels/news-topics.yaml")
 * }</pre>
 */
@PublicEvolving
public final class ModelSpec implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Map<String, String> options;
    private final List<Label> labels;

    private ModelSpec(Map<String, String> options, List<Label> labels) {
        this.options = Collections.unmodifiableMap(options);
        this.labels = labels;
    }

    /**
     * The bundle folder (bundle.json, model.pt, tokenizer.json). A relative path is resolved against the
     * working directory of the client; the folder must be readable at that path on every TaskManager.
     *
     * @param path the bundle folder
     * @return a spec of that bundle, every other option at its default
     */
    public static ModelSpec bundle(String path) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put(ModelOptions.BUNDLE.key(), path);
        return new ModelSpec(options, null);
    }

    /**
     * Classifies with an embedding bundle by labels described in a YAML file: a top-level {@code labels}
     * list of {@code {name, description, examples}}, as jobs/labels/news-topics.yaml. Read when the stream
     * is built.
     *
     * @param path the YAML file, relative to the client's working directory
     * @return a new spec
     */
    public ModelSpec labelsFile(String path) {
        return with(ModelOptions.LABELS_FILE, path);
    }

    /**
     * Classifies with an embedding bundle by these labels.
     *
     * @param labels at least one, with unique names
     * @return a new spec
     */
    public ModelSpec labels(Label... labels) {
        return labels(Arrays.asList(labels));
    }

    /**
     * Classifies with an embedding bundle by these labels.
     *
     * @param labels at least one, with unique names
     * @return a new spec
     */
    public ModelSpec labels(List<Label> labels) {
        return new ModelSpec(new LinkedHashMap<>(options), List.copyOf(labels));
    }

    /**
     * With labels: the factor on cosine similarities before the softmax over labels. Higher gives more
     * confident scores.
     *
     * @param scale a positive number (default 40)
     * @return a new spec
     */
    public ModelSpec scale(double scale) {
        return with(ModelOptions.SCALE, String.valueOf(scale));
    }

    /**
     * libtorch intra-op threads per TaskManager process (default 0: cores / the slots that run the model).
     * libtorch reads it once per process.
     *
     * @param threads 0 or more
     * @return a new spec
     */
    public ModelSpec threads(int threads) {
        return with(ModelOptions.THREADS, String.valueOf(threads));
    }

    /**
     * For a bundle folder that is a repository of numbered versions ({@code 1/}, {@code 2/}, ...): polls it
     * every {@code interval} for a higher whole version, which loads and warms up beside the one serving and
     * takes over at a batch boundary. A version of another task, or with other labels, is refused and the
     * old one keeps serving. The version serving is checkpointed, so a restart resumes on it.
     *
     * @param interval how often to look; positive
     * @return a new spec
     */
    public ModelSpec reloadEvery(Duration interval) {
        return with(ModelOptions.RELOAD_INTERVAL, interval.toMillis() + " ms");
    }

    /**
     * For a repository of numbered versions: serves the versions that records of a Kafka topic name ({@code
     * {"version": N}}, with optional {@code "sha256"} of its model.pt and {@code "uri"} of its bundle) instead
     * of polling the repository for new ones. Each task reads every partition from the beginning, so a
     * restarted job knows the last version named.
     *
     * @param bootstrapServers the topic's brokers
     * @param topic the topic
     * @return a new spec
     */
    public ModelSpec reloadFromTopic(String bootstrapServers, String topic) {
        return with(ModelOptions.RELOAD_BOOTSTRAP_SERVERS, bootstrapServers).with(ModelOptions.RELOAD_TOPIC, topic);
    }

    /**
     * With {@link #reloadEvery}: serves new versions whose labels differ from the first one's, instead of
     * refusing them.
     *
     * @return a new spec
     */
    public ModelSpec reloadAnyLabels() {
        return with(ModelOptions.RELOAD_LABELS, "any");
    }

    /**
     * Each parallel instance loads its own copy of the model, instead of one per TaskManager that its
     * slots share.
     *
     * @return a new spec
     */
    public ModelSpec perSlot() {
        return with(ModelOptions.SHARING, "per-slot");
    }

    /**
     * Pads every batch to the traced shape, as a plain TorchScript deployment does, instead of the
     * smallest shape the exporter verified that holds it.
     *
     * @return a new spec
     */
    public ModelSpec tracedShapeOnly() {
        return with(ModelOptions.SHAPES, "traced");
    }

    /**
     * The longest text that must be served without cutting it: a bundle traced shorter is refused.
     *
     * @param tokens 0 (the default) for whatever the bundle was traced at
     * @return a new spec
     */
    public ModelSpec maxLength(int tokens) {
        return with(ModelOptions.MAX_LENGTH, String.valueOf(tokens));
    }

    /**
     * Whether a text longer than the model is cut to its length, its result flagged truncated (the
     * default), or refused: with {@code false}, such an element becomes a dead letter.
     *
     * @param truncate false to refuse texts longer than the model
     * @return a new spec
     */
    public ModelSpec truncate(boolean truncate) {
        return with(ModelOptions.TRUNCATE, String.valueOf(truncate));
    }

    /**
     * For token-classification bundles: how tokens become entities, as transformers' pipeline: {@code
     * none}, {@code simple} (the default), {@code first}, {@code average} or {@code max}.
     *
     * @param strategy the strategy's name
     * @return a new spec
     */
    public ModelSpec aggregation(String strategy) {
        return with(ModelOptions.TAGGING_AGGREGATION, strategy);
    }

    /**
     * For token-classification bundles: tokens shared by consecutive windows of a text longer than the model.
     *
     * @param tokens the overlap (default -1: a quarter of the model's length)
     * @return a new spec
     */
    public ModelSpec stride(int tokens) {
        return with(ModelOptions.TAGGING_STRIDE, String.valueOf(tokens));
    }

    /**
     * For token-classification bundles: the labels that mean "no entity".
     *
     * @param labels labels of the bundle (default O)
     * @return a new spec
     */
    public ModelSpec ignoreLabels(String... labels) {
        return with(ModelOptions.TAGGING_IGNORE_LABELS, String.join(";", labels));
    }

    /**
     * For token-classification bundles: finds personal data with the model and pattern recognizers, and gives
     * each text redacted ({@link Tagged#getRedacted()}), every entity replaced by {@code <TYPE>} unless
     * configured otherwise with {@link #redact(String, String)}.
     *
     * @return a new spec
     */
    public ModelSpec redact() {
        return with(RedactionOptions.ENABLED, "true");
    }

    /**
     * A redaction option, by its key without the {@code redact.} prefix, as the README's table of
     * {@code redact.*} options lists them: {@code redact("types.EMAIL.operator", "mask")}, {@code
     * redact("salt", secret)}, {@code redact("patterns", "EMAIL;IBAN")}. Implies {@link #redact()}.
     *
     * @param key the option's key under {@code redact.}
     * @param value its value as a job file would write it (lists ';'-separated)
     * @return a new spec
     */
    public ModelSpec redact(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(options);
        copy.put(RedactionOptions.ENABLED.key(), "true");
        copy.put("redact." + key, value);
        return new ModelSpec(copy, labels);
    }

    private ModelSpec with(ConfigOption<?> option, String value) {
        Map<String, String> copy = new LinkedHashMap<>(options);
        copy.put(option.key(), value);
        return new ModelSpec(copy, labels);
    }

    /** The options as set, by their {@link ModelOptions} keys. */
    Map<String, String> options() {
        return options;
    }

    /** The labels given in code, or null. */
    List<Label> labels() {
        return labels;
    }

    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>(options);
        shown.computeIfPresent(RedactionOptions.SALT.key(), (k, v) -> "(hidden)");
        return "ModelSpec" + shown + (labels == null ? "" : " with " + labels.size() + " labels");
    }
}
