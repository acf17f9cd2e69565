package io.torchstream.internal.session;

import io.torchstream.internal.bundle.BundleManifest;
import io.torchstream.internal.bundle.Task;
import io.torchstream.internal.runtime.TorchEngine;
import io.torchstream.internal.task.Embedding;
import io.torchstream.internal.task.LabelClassifier;
import io.torchstream.internal.task.Prediction;
import io.torchstream.internal.task.Predictions;
import io.torchstream.internal.task.TextModel;
import io.torchstream.internal.task.TokenTagger;
import io.torchstream.internal.text.TextInput;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A model as a job serves it, whatever calls it (a DataStream operator, ML_PREDICT, a test): the bundle
 * loaded or leased from the TaskManager's shared copy, libtorch's threads chosen for the slots that share
 * the process, every calling thread warmed up before its first batch, and outputs decoded into what the
 * job emits (classifications, with the bundle's labels or labels by description; entities; embeddings).
 * {@link #close()} releases everything and is safe to call twice. Knows nothing of Flink.
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
    private final int threads;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ModelSession(
            ModelSettings settings,
            SharedModels.Lease lease,
            LabelClassifier classifier,
            TokenTagger tagger,
            int threads) {
        this.settings = settings;
        this.lease = lease;
        this.model = lease.model();
        this.classifier = classifier;
        this.tagger = tagger;
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
        TokenTagger tagger = null;
        try {
            TextModel model = lease.model();
            LabelClassifier classifier = settings.labels().isEmpty()
                    ? null
                    : LabelClassifier.create(model, settings.labels(), settings.labelScale());
            if (model.task() == Task.TOKEN_CLASSIFICATION) {
                ModelSettings.Tagging t = settings.tagging();
                tagger = TokenTagger.create(
                        model.bundle(), model, t.aggregation(), t.stride(), Set.copyOf(t.ignoreLabels()));
            }
            return new ModelSession(settings, lease, classifier, tagger, threads);
        } catch (RuntimeException | Error e) {
            if (tagger != null) {
                tagger.close();
            }
            lease.close();
            throw e;
        }
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
     */
    public Predictions predict(List<TextInput> inputs) {
        if (closed.get()) {
            throw new IllegalStateException("the session of " + model.manifest().name() + " is closed");
        }
        model.warmUpThisThreadOnce();
        Predictions predictions = tagger != null ? tagger.tag(inputs) : model.predict(inputs);
        if (classifier == null) {
            return predictions;
        }
        List<Prediction> classified = new ArrayList<>(predictions.results().size());
        List<Embedding> embeddings = new ArrayList<>(predictions.results().size());
        for (Prediction prediction : predictions.results()) {
            Embedding embedding = (Embedding) prediction;
            embeddings.add(embedding);
            classified.add(classifier.classify(embedding));
        }
        return new Predictions(classified, predictions.forwards(), embeddings);
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
