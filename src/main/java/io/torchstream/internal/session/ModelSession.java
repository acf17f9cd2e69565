package io.torchstream.internal.session;

import io.torchstream.internal.bundle.BundleManifest;
import io.torchstream.internal.bundle.Task;
import io.torchstream.internal.pii.PiiAnalyzer;
import io.torchstream.internal.pii.PiiResult;
import io.torchstream.internal.runtime.TorchEngine;
import io.torchstream.internal.task.Embedding;
import io.torchstream.internal.task.Entities;
import io.torchstream.internal.task.ForwardStats;
import io.torchstream.internal.task.LabelClassifier;
import io.torchstream.internal.task.Prediction;
import io.torchstream.internal.task.Predictions;
import io.torchstream.internal.task.TextModel;
import io.torchstream.internal.task.TokenTagger;
import io.torchstream.internal.text.EncodedText;
import io.torchstream.internal.text.TextInput;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A model as a job serves it, whatever calls it (a DataStream operator, ML_PREDICT, a test): the bundle
 * loaded or leased from the TaskManager's shared copy, libtorch's threads chosen for the slots that share
 * the process, every calling thread warmed up before its first batch, and outputs decoded into what the
 * job emits (classifications, with the bundle's labels or labels by description; entities; embeddings).
 * {@link #close()} releases everything and is safe to call twice. Knows nothing of Flink's runtime (the
 * options are described with Flink's {@code ConfigOption}s, a configuration class and no more).
 */
public final class ModelSession implements AutoCloseable {

    /** What a session's predictions are. */
    public enum Output {
        /** {@link io.torchstream.internal.task.Classification}s: the bundle's labels, or labels by description. */
        CLASSIFICATION,
        /** {@link io.torchstream.internal.task.Entities}. */
        ENTITIES,
        /** {@link Embedding}s. */
        EMBEDDING
    }

    private final ModelSettings settings;
    private final SharedModels.Lease lease;
    private final TextModel model;
    private final LabelClassifier classifier;
    private final TokenTagger tagger;
    private final PiiAnalyzer analyzer;
    private final int threads;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ModelSession(
            ModelSettings settings,
            SharedModels.Lease lease,
            LabelClassifier classifier,
            TokenTagger tagger,
            PiiAnalyzer analyzer,
            int threads) {
        this.settings = settings;
        this.lease = lease;
        this.model = lease.model();
        this.classifier = classifier;
        this.tagger = tagger;
        this.analyzer = analyzer;
        this.threads = threads;
    }

    /**
     * Opens the model that {@code settings} name.
     *
     * @param sharers how many model users share this process's cores (the slots of a TaskManager that
     *     run the model), for libtorch's thread count when the settings leave it to the cores
     */
    public static ModelSession open(ModelSettings settings, int sharers) {
        int threads = TorchEngine.threadsFor(settings.threads(), sharers);
        Path bundle = Path.of(settings.bundle());
        SharedModels.Lease lease = settings.sharing() == ModelSharing.TASK_MANAGER
                ? SharedModels.share(bundle, threads, settings.shapes())
                : SharedModels.own(bundle, threads, settings.shapes());
        return start(settings, lease, threads);
    }

    /**
     * A session over a model the caller made (such as one wired from parts with a fake runner); closing the
     * session closes the model.
     */
    public static ModelSession of(TextModel model, ModelSettings settings) {
        return start(settings, SharedModels.adopt(model), settings.threads());
    }

    private static ModelSession start(ModelSettings settings, SharedModels.Lease lease, int threads) {
        TokenTagger tagger = null;
        try {
            TextModel model = lease.model();
            LabelClassifier classifier = settings.labels().isEmpty()
                    ? null
                    : LabelClassifier.create(model, settings.labels(), settings.labelScale());
            PiiAnalyzer analyzer = null;
            if (model.task() == Task.TOKEN_CLASSIFICATION) {
                ModelSettings.Tagging t = settings.tagging();
                tagger = TokenTagger.create(
                        model.bundle(), model, t.aggregation(), t.stride(), Set.copyOf(t.ignoreLabels()));
                if (settings.redaction().enabled()) {
                    analyzer = settings.redaction().analyzer(entityTypes(model.manifest(), t));
                }
            }
            return new ModelSession(settings, lease, classifier, tagger, analyzer, threads);
        } catch (RuntimeException | Error e) {
            if (tagger != null) {
                tagger.close();
            }
            lease.close();
            throw e;
        }
    }

    /** The entity types a token-classification bundle tags, its "no entity" labels aside. */
    public static Set<String> entityTypes(BundleManifest manifest, ModelSettings.Tagging tagging) {
        Set<String> types = new TreeSet<>(TokenTagger.entityTypes(manifest.labels()));
        tagging.ignoreLabels().forEach(types::remove);
        return types;
    }

    /** What a bundle of {@code task} emits, with or without labels by description. */
    public static Output outputOf(Task task, boolean labels) {
        return switch (task) {
            case SEQUENCE_CLASSIFICATION -> Output.CLASSIFICATION;
            case TOKEN_CLASSIFICATION -> Output.ENTITIES;
            case EMBEDDING -> labels ? Output.CLASSIFICATION : Output.EMBEDDING;
        };
    }

    /** The version results carry: the first 12 hex digits of the model file's sha256. */
    public static String versionOf(BundleManifest manifest) {
        return manifest.files().get(BundleManifest.MODEL_FILE).sha256().substring(0, 12);
    }

    /**
     * Predicts every input, in order, on the calling thread: tagged, or classified by description when
     * the settings have labels. A thread that has not run the model before is warmed up first.
     *
     * <p>A bad input fails alone: a text too long for the model when truncation is off is refused before the
     * forward pass, and a batch that throws is run again input by input, so that each one that fails gets
     * its reason ({@link Predictions#error}) and the others their predictions. Unless the model no longer
     * predicts a text known to be good either: then the model is at fault, and the batch's failure is thrown.
     */
    public Predictions predict(List<TextInput> inputs) {
        if (closed.get()) {
            throw new IllegalStateException("the session of " + model.manifest().name() + " is closed");
        }
        model.warmUpThisThreadOnce();
        try {
            return run(inputs);
        } catch (RuntimeException batchFailure) {
            if (!stillWorks()) {
                throw batchFailure;
            }
            return oneByOne(inputs);
        }
    }

    /** Whether the model still predicts a text known to be good: if not, the model is at fault, not the inputs. */
    private boolean stillWorks() {
        TextInput probe = model.manifest().textPair()
                ? TextInput.pair("torchstream warm-up", "torchstream warm-up")
                : TextInput.of("torchstream warm-up");
        try {
            run(List.of(probe));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private Predictions oneByOne(List<TextInput> inputs) {
        List<Prediction> results = new ArrayList<>(inputs.size());
        List<Embedding> embeddings = classifier == null ? null : new ArrayList<>(inputs.size());
        List<String> errors = new ArrayList<>(inputs.size());
        List<ForwardStats> forwards = new ArrayList<>();
        for (TextInput input : inputs) {
            try {
                Predictions one = run(List.of(input));
                results.add(one.results().get(0));
                errors.add(one.error(0));
                if (embeddings != null) {
                    embeddings.add(one.embedding(0));
                }
                forwards.addAll(one.forwards());
            } catch (RuntimeException e) {
                results.add(null);
                errors.add(reason(e));
                if (embeddings != null) {
                    embeddings.add(null);
                }
            }
        }
        return new Predictions(results, forwards, embeddings, errors);
    }

    /** What went wrong with one input, in words. */
    static String reason(Throwable e) {
        String message = e.getMessage();
        return "the model failed on this text: " + e.getClass().getSimpleName()
                + (message == null ? "" : ": " + message);
    }

    private Predictions run(List<TextInput> inputs) {
        if (tagger != null) {
            // Long texts run as windows: nothing is cut, whatever the truncation setting.
            Predictions tagged = tagger.tag(inputs);
            return analyzer == null ? tagged : redact(inputs, tagged);
        }
        List<EncodedText> rows = new ArrayList<>(inputs.size());
        List<Integer> kept = new ArrayList<>(inputs.size());
        String[] errors = new String[inputs.size()];
        for (int i = 0; i < inputs.size(); i++) {
            EncodedText row = model.encode(inputs.get(i));
            if (row.truncated() && !settings.truncate()) {
                errors[i] = "the text has more tokens than the model's "
                        + model.manifest().maxLength() + ", and truncation is off";
            } else {
                kept.add(i);
                rows.add(row);
            }
        }
        Predictions predicted = rows.isEmpty() ? Predictions.none() : model.predictEncoded(rows);
        Prediction[] results = new Prediction[inputs.size()];
        Embedding[] embeddings = classifier == null ? null : new Embedding[inputs.size()];
        for (int k = 0; k < kept.size(); k++) {
            Prediction prediction = predicted.results().get(k);
            if (classifier != null) {
                embeddings[kept.get(k)] = (Embedding) prediction;
                prediction = classifier.classify((Embedding) prediction);
            }
            results[kept.get(k)] = prediction;
        }
        return new Predictions(
                Arrays.asList(results),
                predicted.forwards(),
                embeddings == null ? null : Arrays.asList(embeddings),
                kept.size() == inputs.size() ? null : Arrays.asList(errors));
    }

    /** The model's entities of each text merged with the pattern recognizers', and the text redacted. */
    private Predictions redact(List<TextInput> inputs, Predictions tagged) {
        List<Prediction> redacted = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            Entities entities = (Entities) tagged.results().get(i);
            PiiResult found = analyzer.analyze(inputs.get(i).text(), entities.entities());
            redacted.add(new Entities(found.entities(), entities.truncated(), found.text()));
        }
        return new Predictions(redacted, tagged.forwards(), tagged.embeddings(), tagged.errors());
    }

    /** Runs every shape on the calling thread now, unless it has already, so that its first batch is not slow. */
    public void warmUpThisThread() {
        model.warmUpThisThreadOnce();
    }

    public Output output() {
        return outputOf(model.task(), classifier != null);
    }

    public Task task() {
        return model.task();
    }

    public BundleManifest manifest() {
        return model.manifest();
    }

    public String modelName() {
        return model.manifest().name();
    }

    public String modelVersion() {
        return versionOf(model.manifest());
    }

    public ModelSettings settings() {
        return settings;
    }

    /** The most rows one forward pass takes. */
    public int maxBatchSize() {
        return model.maxBatchSize();
    }

    /** libtorch intra-op threads this session asked for. */
    public int threads() {
        return threads;
    }

    /** Whether the model is the TaskManager's shared copy. */
    public boolean shared() {
        return lease.shared();
    }

    /** Milliseconds loading the model took (tokenizer, libtorch, warm-up), for whoever loaded it. */
    public long loadMillis() {
        return model.loadMillis();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                if (tagger != null) {
                    tagger.close();
                }
            } finally {
                lease.close();
            }
        }
    }
}
