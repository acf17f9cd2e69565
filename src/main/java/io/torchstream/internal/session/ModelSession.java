package io.torchstream.internal.session;

import io.torchstream.internal.bundle.BundleException;
import io.torchstream.internal.bundle.BundleManifest;
import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.bundle.Task;
import io.torchstream.internal.pii.PiiAnalyzer;
import io.torchstream.internal.pii.PiiResult;
import io.torchstream.internal.runtime.NativeMemory;
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

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

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

    private static final Logger LOG = LoggerFactory.getLogger(ModelSession.class);

    // Distinct Kafka client ids for the reload topics' consumers of one JVM.
    private static final AtomicLong CONSUMERS = new AtomicLong();

    private final ModelSettings settings;
    private final int threads;
    private final ModelRepository repository;
    private final Served first;
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong reloadFailures = new AtomicLong();
    private final AtomicLong reloadMillis = new AtomicLong();
    private final ScheduledExecutorService poller;
    private final ControlTopic control;
    // Guarded by this: the version new batches run on, and whether the session is closed.
    private Served current;
    private boolean closed;
    // Poller thread only.
    private int listingFailures;
    private boolean reportedEmpty;
    private String lastUriFailure;
    private String lastShaRefusal;

    /**
     * One version of the model, as the session serves it: the model and what decodes its outputs. Batches
     * hold it while they run; once a newer version has taken over and its last batch is done, it is closed.
     */
    private static final class Served {
        final long number;
        final SharedModels.Lease lease;
        final TextModel model;
        final LabelClassifier classifier;
        final TokenTagger tagger;
        final PiiAnalyzer analyzer;
        // Guarded by the session.
        int inFlight;
        boolean retired;
        boolean replaced;

        Served(
                long number,
                SharedModels.Lease lease,
                LabelClassifier classifier,
                TokenTagger tagger,
                PiiAnalyzer analyzer) {
            this.number = number;
            this.lease = lease;
            this.model = lease.model();
            this.classifier = classifier;
            this.tagger = tagger;
            this.analyzer = analyzer;
        }

        String version() {
            return number > 0 ? Long.toString(number) : versionOf(model.manifest());
        }

        /**
         * Closes this version; one that a newer version replaced does not stay loaded for the keep-alive
         * (it would hold its native memory through every later swap).
         */
        void close() {
            try {
                if (tagger != null) {
                    tagger.close();
                }
            } finally {
                if (replaced) {
                    lease.retire();
                } else {
                    lease.close();
                }
            }
        }
    }

    /**
     * The predictions of one batch and the version that made them: a batch never mixes versions.
     *
     * @param predictions one per input, in input order
     * @param modelName the bundle's name
     * @param modelVersion the version results carry
     */
    public record Batch(Predictions predictions, String modelName, String modelVersion) {}

    private ModelSession(
            ModelSettings settings, int threads, ModelRepository repository, ControlTopic control, Served served) {
        this.settings = settings;
        this.threads = threads;
        this.repository = repository;
        this.control = control;
        this.first = served;
        this.current = served;
        this.poller = repository != null && settings.reload().enabled()
                ? poller(served.model.manifest().name())
                : null;
    }

    /**
     * Opens the model that {@code settings} name.
     *
     * @param sharers how many model users share this process's cores (the slots of a TaskManager that
     *     run the model), for libtorch's thread count when the settings leave it to the cores
     */
    public static ModelSession open(ModelSettings settings, int sharers) {
        return open(settings, sharers, 0);
    }

    /**
     * Opens the model that {@code settings} name; of a repository of numbered versions, version {@code
     * resume} if it is whole (the version a checkpoint recorded; 0: none), else the highest whole one. With
     * {@code reload.interval} set, a thread then polls the repository and swaps newer whole versions in.
     *
     * @param sharers how many model users share this process's cores (the slots of a TaskManager that
     *     run the model), for libtorch's thread count when the settings leave it to the cores
     */
    public static ModelSession open(ModelSettings settings, int sharers, long resume) {
        return open(settings, sharers, resume, null);
    }

    /**
     * {@link #open(ModelSettings, int, long)}, taking over the load that {@link #prefetch} started for the same
     * settings and sharers (null: none); the prefetch is closed either way.
     */
    public static ModelSession open(ModelSettings settings, int sharers, long resume, Prefetch prefetched) {
        try {
            return openSession(settings, sharers, resume, prefetched);
        } finally {
            if (prefetched != null) {
                prefetched.close();
            }
        }
    }

    private static ModelSession openSession(ModelSettings settings, int sharers, long resume, Prefetch prefetched) {
        int threads = TorchEngine.threadsFor(settings.threads(), sharers);
        TorchEngine.startInBackground(threads);
        BundleStore store = BundleStore.of(settings.bundle());
        ControlTopic control = null;
        ModelRepository repository = store.isRepository() ? new ModelRepository(store) : null;
        Served served;
        if (repository == null && BundleStore.isRemote(settings.bundle())) {
            served = serve(settings, 0, lease(settings, store.open(0), threads));
        } else if (repository == null) {
            served = prefetched != null ? prefetched.take() : serveFolder(settings, threads);
        } else {
            control = settings.reload().topic() == null
                    ? null
                    : ControlTopic.open(
                            settings.reload().bootstrapServers(),
                            settings.reload().topic(),
                            "torchstream-reload-" + CONSUMERS.incrementAndGet(),
                            Duration.ofSeconds(60));
            try {
                served = startVersion(settings, repository, control, resume, threads);
            } catch (RuntimeException | Error e) {
                if (control != null) {
                    control.close();
                }
                throw e;
            }
        }
        ModelSession session = new ModelSession(settings, threads, repository, control, served);
        if (session.poller != null) {
            session.schedulePoll();
        }
        return session;
    }

    /** A bundle by path: a model another task of this job holds is leased again without hashing its files. */
    private static Served serveFolder(ModelSettings settings, int threads) {
        Path folder = Path.of(settings.bundle());
        SharedModels.Lease lease = settings.sharing() == ModelSharing.TASK_MANAGER
                ? SharedModels.share(folder, threads, settings.shapes())
                : SharedModels.own(folder, threads, settings.shapes());
        return serve(settings, 0, lease);
    }

    /**
     * Starts loading the model that {@code settings} name on a thread of its own, for an {@link #open} with
     * the same settings and sharers to take over. A Flink task starts it as it sets its operators up, so that
     * the load runs while the operators after the model in its chain start (Kafka sinks resuming and aborting
     * transactions take seconds): a task restarted on a fresh TaskManager spends its start-up on both at once.
     * A bundle by path only: a repository's version is known once the checkpoint is restored, and a remote
     * bundle is fetched in open. Returns null for those.
     */
    public static Prefetch prefetch(ModelSettings settings, int sharers) {
        if (BundleStore.isRemote(settings.bundle())
                || BundleStore.of(settings.bundle()).isRepository()) {
            return null;
        }
        int threads = TorchEngine.threadsFor(settings.threads(), sharers);
        TorchEngine.startInBackground(threads);
        Prefetch prefetch = new Prefetch();
        Thread loader = new Thread(
                () -> {
                    try {
                        prefetch.served.complete(serveFolder(settings, threads));
                    } catch (Throwable e) {
                        prefetch.served.completeExceptionally(e);
                    }
                },
                "torchstream-load-" + Path.of(settings.bundle()).getFileName());
        // DJL finds its engine through the context classloader: the job's, as on the task's own thread.
        loader.setContextClassLoader(Thread.currentThread().getContextClassLoader());
        loader.setDaemon(true);
        loader.start();
        return prefetch;
    }

    /**
     * A model load that {@link #prefetch} started. {@link #open} takes it over (and fails with the load's own
     * error); closing one not taken releases the model once its load is done.
     */
    public static final class Prefetch implements AutoCloseable {
        private final CompletableFuture<Served> served = new CompletableFuture<>();
        private final AtomicBoolean claimed = new AtomicBoolean();

        private Prefetch() {}

        private Served take() {
            if (!claimed.compareAndSet(false, true)) {
                throw new IllegalStateException("this prefetched model was taken or closed already");
            }
            try {
                return served.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw e;
            }
        }

        /** Whether the load has ended, loaded or failed. */
        public boolean isDone() {
            return served.isDone();
        }

        @Override
        public void close() {
            if (claimed.compareAndSet(false, true)) {
                served.thenAccept(Served::close);
            }
        }
    }

    /**
     * A session over a model the caller made (such as one wired from parts with a fake runner); closing the
     * session closes the model.
     */
    public static ModelSession of(TextModel model, ModelSettings settings) {
        return new ModelSession(
                settings, settings.threads(), null, null, serve(settings, 0, SharedModels.adopt(model)));
    }

    /**
     * The version a session starts on: the checkpoint's if it is whole, else (with a reload topic) the highest
     * version the topic has named if it is whole, else the repository's highest whole version.
     */
    private static Served startVersion(
            ModelSettings settings, ModelRepository repository, ControlTopic control, long resume, int threads) {
        if (control != null && resume == 0 && control.highest().isPresent()) {
            ControlTopic.Request named = control.highest().get();
            try {
                Optional<ModelBundle> bundle = requested(repository, named);
                if (bundle.isPresent()) {
                    return serve(settings, named.version(), lease(settings, bundle.get(), threads));
                }
            } catch (BundleException | UncheckedIOException e) {
                LOG.warn(
                        "version {}, the reload topic's last, is not whole ({}); starting on the repository's",
                        named.version(),
                        e.getMessage());
            }
        }
        ModelRepository.Version version = repository.start(resume);
        if (resume > 0 && version.number() != resume) {
            LOG.warn(
                    "{}: version {} (the checkpoint's) is gone or not whole; serving version {}",
                    repository.folder(),
                    resume,
                    version.number());
        }
        return serve(settings, version.number(), lease(settings, version.bundle(), threads));
    }

    private static SharedModels.Lease lease(ModelSettings settings, ModelBundle bundle, int threads) {
        return settings.sharing() == ModelSharing.TASK_MANAGER
                ? SharedModels.share(bundle, threads, settings.shapes())
                : SharedModels.own(bundle, threads, settings.shapes());
    }

    private static Served serve(ModelSettings settings, long number, SharedModels.Lease lease) {
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
            return new Served(number, lease, classifier, tagger, analyzer);
        } catch (RuntimeException | Error e) {
            if (tagger != null) {
                tagger.close();
            }
            lease.close();
            throw e;
        }
    }

    private static ScheduledExecutorService poller(String model) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "torchstream-reload-" + model);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    private void schedulePoll() {
        // An unreadable repository is polled less and less often, up to 32 intervals apart.
        long every = settings.reload().interval().isZero()
                ? 1000
                : settings.reload().interval().toMillis();
        long delay = every << Math.min(5, listingFailures);
        try {
            poller.schedule(this::pollAndReschedule, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closed meanwhile.
        }
    }

    private void pollAndReschedule() {
        try {
            reloadNow();
        } catch (RuntimeException | Error e) {
            LOG.warn("{}: polling for a new version failed; trying again", repository.folder(), e);
        } finally {
            if (!poller.isShutdown()) {
                schedulePoll();
            }
        }
    }

    /**
     * Looks for a higher whole version now and, if there is one the session may serve, loads it, warms it up
     * and makes it the version of the next batches. The version serving keeps serving meanwhile, and whatever
     * goes wrong (a version half copied, of another task, that fails to load; a repository that cannot be
     * listed) leaves it serving. The poller calls this; tests may too.
     *
     * @return whether a new version took over
     */
    public boolean reloadNow() {
        if (repository == null) {
            return false;
        }
        if (control != null) {
            return reloadFromTopic();
        }
        long serving = activeVersionNumber();
        Optional<ModelRepository.Version> next;
        try {
            next = repository.newestAbove(serving);
            if (listingFailures > 0) {
                LOG.info("{} can be listed again", repository.folder());
            }
            listingFailures = 0;
        } catch (UncheckedIOException e) {
            if (listingFailures++ == 0) {
                reloadFailures.incrementAndGet();
                LOG.warn(
                        "{}; version {} keeps serving, and the repository is polled again with backoff",
                        e.getMessage(),
                        serving);
            }
            return false;
        }
        reportSkipped(serving);
        if (next.isEmpty()) {
            return false;
        }
        return swapTo(next.get().number(), next.get().bundle(), serving, null);
    }

    /**
     * Makes a checked bundle the version of the next batches, unless it is incompatible or fails to load.
     *
     * @param expectedSha256 the model.pt sha256 the version must have, or null
     */
    private boolean swapTo(long number, ModelBundle bundle, long serving, String expectedSha256) {
        if (expectedSha256 != null) {
            String actual =
                    bundle.manifest().files().get(BundleManifest.MODEL_FILE).sha256();
            if (!actual.equalsIgnoreCase(expectedSha256)) {
                // Not marked refused in the repository: a later record may name the same version with its sha256.
                String refusal = number + ":" + expectedSha256;
                if (!refusal.equals(lastShaRefusal)) {
                    lastShaRefusal = refusal;
                    reloadFailures.incrementAndGet();
                    LOG.warn(
                            "{}: version {} is refused: its model.pt has sha256 {}, not the {} the reload topic named;"
                                    + " version {} keeps serving",
                            repository.folder(),
                            number,
                            actual,
                            expectedSha256,
                            serving);
                }
                return false;
            }
        }
        String incompatible = incompatibility(bundle.manifest());
        if (incompatible != null) {
            refuse(number, serving, incompatible);
            return false;
        }
        long started = System.nanoTime();
        Served loaded;
        try {
            loaded = serve(settings, number, lease(settings, bundle, threads));
        } catch (RuntimeException e) {
            refuse(number, serving, "it failed to load: " + e.getMessage());
            return false;
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        Served old;
        synchronized (this) {
            if (closed) {
                old = null;
            } else {
                old = current;
                current = loaded;
                old.retired = true;
                old.replaced = true;
            }
        }
        if (old == null) {
            loaded.replaced = true;
            loaded.close();
            return false;
        }
        reloads.incrementAndGet();
        reloadMillis.set(millis);
        LOG.info(
                "{}: version {} replaced version {} at the next batch, loaded and warmed up in {} ms beside it",
                repository.folder(),
                number,
                old.number,
                millis);
        closeIfDone(old);
        return true;
    }

    /** Moves to the highest version the reload topic has named, once it is whole (it may still be uploading). */
    private boolean reloadFromTopic() {
        long serving = activeVersionNumber();
        Optional<ControlTopic.Request> wanted;
        long refusedBefore = control.refused();
        try {
            wanted = control.poll();
            listingFailures = 0;
        } catch (RuntimeException e) {
            if (listingFailures++ == 0) {
                reloadFailures.incrementAndGet();
                LOG.warn(
                        "reload topic {} cannot be read ({}); version {} keeps serving, retried with backoff",
                        settings.reload().topic(),
                        e.getMessage(),
                        serving);
            }
            return false;
        }
        reloadFailures.addAndGet(control.refused() - refusedBefore);
        if (wanted.isEmpty() || wanted.get().version() <= serving) {
            return false;
        }
        ControlTopic.Request request = wanted.get();
        Optional<ModelBundle> bundle;
        try {
            bundle = requested(repository, request);
        } catch (BundleException | UncheckedIOException e) {
            if (!e.getMessage().equals(lastUriFailure)) {
                lastUriFailure = e.getMessage();
                reloadFailures.incrementAndGet();
                LOG.warn(
                        "version {} at {} is not whole yet ({}); looked at again at every poll",
                        request.version(),
                        request.uri(),
                        e.getMessage());
            }
            bundle = Optional.empty();
        }
        reportSkipped(serving);
        return bundle.isPresent() && swapTo(request.version(), bundle.get(), serving, request.sha256());
    }

    /**
     * The bundle a topic record names: in the repository's numbered folder (empty while it is not whole, the
     * repository reporting why), or at its URI.
     *
     * @throws BundleException when the bundle at the record's URI is not whole
     */
    private static Optional<ModelBundle> requested(ModelRepository repository, ControlTopic.Request request) {
        return request.uri() == null
                ? repository.version(request.version()).map(ModelRepository.Version::bundle)
                : Optional.of(BundleStore.of(request.uri()).open(0));
    }

    /** Logs and counts each version skipped since the last poll (half copied, or with a wrong sha256). */
    private void reportSkipped(long serving) {
        for (ModelRepository.Skipped skipped : repository.newlySkipped()) {
            if (skipped.version() > serving) {
                reloadFailures.incrementAndGet();
                LOG.warn(
                        "{}: version {} is skipped until its files change ({}); version {} keeps serving",
                        repository.folder(),
                        skipped.version(),
                        skipped.reason(),
                        serving);
            }
        }
        boolean empty = repository.lastListing().isEmpty();
        if (empty && !reportedEmpty) {
            LOG.warn("{} holds no version now; version {} keeps serving", repository.folder(), serving);
        }
        reportedEmpty = empty;
    }

    private void refuse(long version, long serving, String reason) {
        repository.refuse(version, reason);
        repository.newlySkipped();
        reloadFailures.incrementAndGet();
        LOG.warn(
                "{}: version {} is refused: {}; version {} keeps serving",
                repository.folder(),
                version,
                reason,
                serving);
    }

    /** Why a version's outputs could not replace the first version's, or null if they can. */
    private String incompatibility(BundleManifest next) {
        BundleManifest was = first.model.manifest();
        if (next.task() != was.task()) {
            return "it is a " + next.task() + " bundle, and the job serves a " + was.task() + " model";
        }
        if (next.textPair() != was.textPair()) {
            return next.textPair()
                    ? "it takes text pairs, and the job sends single texts"
                    : "it takes single texts, and the job sends text pairs";
        }
        if (next.outputWidth() != was.outputWidth() && next.task() == Task.EMBEDDING) {
            return "its embeddings have " + next.outputWidth() + " dimensions, not " + was.outputWidth();
        }
        if (settings.reload().sameLabels() && !next.labels().equals(was.labels())) {
            return "its labels " + next.labels() + " differ from " + was.labels()
                    + " (set reload.labels to any to serve label changes)";
        }
        if (settings.maxLength() > next.maxLength()) {
            return "it was traced at " + next.maxLength() + " tokens, shorter than max-length " + settings.maxLength();
        }
        return null;
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
        return predictBatch(inputs).predictions();
    }

    /** {@link #predict}, with the version that made the predictions (a batch never mixes versions). */
    public Batch predictBatch(List<TextInput> inputs) {
        Served served = acquire();
        try {
            served.model.warmUpThisThreadOnce();
            Predictions predictions;
            try {
                predictions = run(served, inputs);
            } catch (RuntimeException batchFailure) {
                if (!stillWorks(served)) {
                    throw batchFailure;
                }
                predictions = oneByOne(served, inputs);
            }
            return new Batch(predictions, served.model.manifest().name(), served.version());
        } finally {
            release(served);
        }
    }

    private synchronized Served acquire() {
        if (closed) {
            throw new IllegalStateException(
                    "the session of " + current.model.manifest().name() + " is closed");
        }
        current.inFlight++;
        return current;
    }

    private void release(Served served) {
        synchronized (this) {
            served.inFlight--;
        }
        closeIfDone(served);
    }

    /** Closes a version once it no longer serves and its last batch is done; at most once. */
    private void closeIfDone(Served served) {
        synchronized (this) {
            if (!served.retired || served.inFlight != 0) {
                return;
            }
            served.inFlight = -1; // closed
        }
        served.close();
        if (served.replaced) {
            NativeMemory.trim();
        }
    }

    /** Whether the model still predicts a text known to be good: if not, the model is at fault, not the inputs. */
    private boolean stillWorks(Served served) {
        TextInput probe = served.model.manifest().textPair()
                ? TextInput.pair("torchstream warm-up", "torchstream warm-up")
                : TextInput.of("torchstream warm-up");
        try {
            run(served, List.of(probe));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private Predictions oneByOne(Served served, List<TextInput> inputs) {
        List<Prediction> results = new ArrayList<>(inputs.size());
        List<Embedding> embeddings = served.classifier == null ? null : new ArrayList<>(inputs.size());
        List<String> errors = new ArrayList<>(inputs.size());
        List<ForwardStats> forwards = new ArrayList<>();
        for (TextInput input : inputs) {
            try {
                Predictions one = run(served, List.of(input));
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

    private Predictions run(Served served, List<TextInput> inputs) {
        TextModel model = served.model;
        LabelClassifier classifier = served.classifier;
        if (served.tagger != null) {
            // Long texts run as windows: nothing is cut, whatever the truncation setting.
            Predictions tagged = served.tagger.tag(inputs);
            return served.analyzer == null ? tagged : redact(served.analyzer, inputs, tagged);
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
    private static Predictions redact(PiiAnalyzer analyzer, List<TextInput> inputs, Predictions tagged) {
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
        served().model.warmUpThisThreadOnce();
    }

    private synchronized Served served() {
        return current;
    }

    public Output output() {
        Served served = served();
        return outputOf(served.model.task(), served.classifier != null);
    }

    public Task task() {
        return served().model.task();
    }

    /** The manifest of the version serving now. */
    public BundleManifest manifest() {
        return served().model.manifest();
    }

    public String modelName() {
        return manifest().name();
    }

    /** The version serving now: its number in a repository, else the first 12 hex digits of its sha256. */
    public String modelVersion() {
        return served().version();
    }

    /** The repository version serving now; 0 for a bundle that is not in a repository. */
    public long activeVersionNumber() {
        return served().number;
    }

    /** Whether the session serves from a repository of versions (and may reload). */
    public boolean fromRepository() {
        return repository != null;
    }

    /** Versions that took over since the session opened. */
    public long reloads() {
        return reloads.get();
    }

    /** Versions refused or failed to load, and repository listings that failed, since the session opened. */
    public long reloadFailures() {
        return reloadFailures.get();
    }

    /** Milliseconds the last version that took over spent loading and warming up (0: none yet). */
    public long reloadMillis() {
        return reloadMillis.get();
    }

    public ModelSettings settings() {
        return settings;
    }

    /** The most rows one forward pass takes. */
    public int maxBatchSize() {
        return served().model.maxBatchSize();
    }

    /** libtorch intra-op threads this session asked for. */
    public int threads() {
        return threads;
    }

    /** Whether the model is the TaskManager's shared copy. */
    public boolean shared() {
        return served().lease.shared();
    }

    /** Milliseconds loading the first model took (tokenizer, libtorch, warm-up), for whoever loaded it. */
    public long loadMillis() {
        return first.model.loadMillis();
    }

    /**
     * Stops polling and closes the version serving; a version still running a batch (on another thread) closes
     * when that batch is done. Safe to call twice.
     */
    @Override
    public void close() {
        Served last;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            last = current;
            last.retired = true;
        }
        if (poller != null) {
            poller.shutdownNow();
            try {
                poller.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (control != null) {
            control.close();
        }
        closeIfDone(last);
    }
}
