package io.torchstream.internal.task;

import io.torchstream.internal.bundle.BundleException;
import io.torchstream.internal.bundle.BundleManifest;
import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.bundle.Task;
import io.torchstream.internal.bundle.TraceShape;
import io.torchstream.internal.runtime.ModelOutput;
import io.torchstream.internal.runtime.ModelRunException;
import io.torchstream.internal.runtime.ModelRunner;
import io.torchstream.internal.runtime.NativeModels;
import io.torchstream.internal.runtime.PaddedBatch;
import io.torchstream.internal.runtime.TorchEngine;
import io.torchstream.internal.runtime.TorchScriptRunner;
import io.torchstream.internal.text.EncodedText;
import io.torchstream.internal.text.TextEncoder;
import io.torchstream.internal.text.TextInput;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loaded bundle ready to predict: tokenizes, pads each batch to the smallest verified shape that
 * fits it, runs the model and decodes the outputs. Thread-safe; {@link #close()} is idempotent.
 */
public final class TextModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TextModel.class);

    private final ModelBundle bundle;
    private final BundleManifest manifest;
    private final TextEncoder encoder;
    private final ModelRunner runner;
    private final OutputDecoder decoder;
    private final List<TraceShape> shapes;
    private final int maxBatch;
    private final long loadMillis;
    // Set when the natives belong to the JVM's store (NativeModels), to be released there rather than closed.
    private final String nativeKey;
    private final AtomicBoolean closed = new AtomicBoolean();
    // libtorch settles per shape and per thread: which threads have run every shape already.
    private final ThreadLocal<Boolean> warmedUp = ThreadLocal.withInitial(() -> false);

    /** Wires a model from parts; {@link #open} is the way to load a bundle. */
    public TextModel(BundleManifest manifest, TextEncoder encoder, ModelRunner runner) {
        this(null, manifest, encoder, runner, ShapePolicy.VERIFIED, 0, null);
    }

    private TextModel(
            ModelBundle bundle,
            BundleManifest manifest,
            TextEncoder encoder,
            ModelRunner runner,
            ShapePolicy policy,
            long loadMillis,
            String nativeKey) {
        this.bundle = bundle;
        this.manifest = manifest;
        this.encoder = encoder;
        this.runner = runner;
        this.decoder = new OutputDecoder(manifest);
        this.shapes = policy.shapes(manifest);
        this.maxBatch = shapes.stream().mapToInt(TraceShape::batch).max().orElseThrow();
        this.loadMillis = loadMillis;
        this.nativeKey = nativeKey;
    }

    /**
     * Loads a bundle: its tokenizer, its TorchScript module in libtorch, and a warm-up (see {@link
     * TorchEngine#warmUpEveryShape}), which also checks the model's outputs against bundle.json.
     *
     * @param intraOpThreads libtorch threads for this JVM (0: libtorch's default); see {@link
     *     io.torchstream.internal.runtime.TorchEngine}
     * @throws BundleException if the bundle's files contradict bundle.json
     */
    public static TextModel open(ModelBundle bundle, int intraOpThreads) {
        return open(bundle, intraOpThreads, ShapePolicy.VERIFIED);
    }

    /** Loads a bundle to run at the shapes {@code policy} allows (and warms up at those only). */
    public static TextModel open(ModelBundle bundle, int intraOpThreads, ShapePolicy policy) {
        long started = System.nanoTime();
        TextEncoder encoder = TextEncoder.open(bundle);
        TorchScriptRunner runner;
        try {
            runner = TorchScriptRunner.load(bundle, intraOpThreads);
        } catch (RuntimeException e) {
            encoder.close();
            throw e;
        }
        long loaded = System.nanoTime();
        List<TraceShape> warmShapes = warmUpShapes(policy.shapes(bundle.manifest()));
        try {
            warmUp(bundle, encoder, runner, warmShapes);
        } catch (RuntimeException e) {
            runner.close();
            encoder.close();
            throw e;
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        LOG.info(
                "loaded {}{} in {} ms ({} ms tokenizer and libtorch, {} ms warm-up at {}, {} run(s) a shape): {} at shapes {}",
                bundle,
                bundle.manifest().quantization() == null
                        ? ""
                        : " (" + bundle.manifest().quantization() + ")",
                millis,
                (loaded - started) / 1_000_000,
                (System.nanoTime() - loaded) / 1_000_000,
                warmShapes,
                TorchEngine.warmUpRuns(),
                bundle.manifest().task(),
                policy.shapes(bundle.manifest()));
        TextModel model = new TextModel(bundle, bundle.manifest(), encoder, runner, policy, millis, null);
        model.warmedUp.set(true);
        return model;
    }

    /**
     * A model whose libtorch module and tokenizer the JVM's {@link NativeModels} store keeps, keyed by the
     * sha256 of the bundle's model and tokenizer files: loaded and warmed up by the first user in the JVM,
     * then reused without either by later users, those of other jobs included where torchstream-lib.jar
     * sits in the TaskManager's lib/ with DJL. {@link #release(long)} lets go of them.
     */
    public static TextModel openShared(ModelBundle bundle, int intraOpThreads, ShapePolicy policy) {
        long started = System.nanoTime();
        BundleManifest manifest = bundle.manifest();
        String key = String.join(
                " ",
                // bundle.json records both: BundleManifest refuses one that does not.
                manifest.files().get(BundleManifest.MODEL_FILE).sha256(),
                manifest.files().get(BundleManifest.TOKENIZER_FILE).sha256(),
                "max-length=" + manifest.maxLength(),
                "shapes=" + policy.shapes(manifest));
        long[] loadedMillis = {-1};
        List<? extends AutoCloseable> parts = NativeModels.acquire(key, () -> {
            TextModel loaded = open(bundle, intraOpThreads, policy);
            loadedMillis[0] = loaded.loadMillis;
            return List.of(((TorchScriptRunner) loaded.runner).nativeModel(), loaded.encoder.nativeTokenizer());
        });
        boolean reused = loadedMillis[0] < 0;
        long millis = reused ? (System.nanoTime() - started) / 1_000_000 : loadedMillis[0];
        if (reused) {
            TorchEngine.start(intraOpThreads);
            LOG.info(
                    "{} is loaded in this JVM already{}: reused in {} ms, without loading or warming it up",
                    bundle,
                    NativeModels.sharedAcrossJobs() ? " (kept for every job of this TaskManager)" : "",
                    millis);
        }
        TextModel model = new TextModel(
                bundle,
                manifest,
                TextEncoder.over(bundle, parts.get(1)),
                TorchScriptRunner.over(bundle, parts.get(0)),
                policy,
                millis,
                key);
        model.warmedUp.set(!reused);
        return model;
    }

    /** Every shape while the graph executor re-optimises new ones, else the one of fewest tokens. */
    static List<TraceShape> warmUpShapes(List<TraceShape> shapes) {
        if (TorchEngine.warmUpEveryShape() || shapes.isEmpty()) {
            return shapes;
        }
        return List.of(Collections.min(shapes));
    }

    private static void warmUp(ModelBundle bundle, TextEncoder encoder, ModelRunner runner, List<TraceShape> shapes) {
        BundleManifest manifest = bundle.manifest();
        EncodedText sample = encoder.encode(TextInput.of("torchstream warm-up"));
        for (TraceShape shape : shapes) {
            List<EncodedText> rows = Collections.nCopies(shape.batch(), sample.head(shape.seqLen()));
            for (int i = 0; i < TorchEngine.warmUpRuns(); i++) {
                ModelOutput output;
                try {
                    output = runner.run(PaddedBatch.of(rows, shape, manifest.padTokenId(), manifest.padTokenTypeId()));
                } catch (ModelRunException e) {
                    throw new BundleException(
                            bundle.modelFile(),
                            e.getMessage() + ". Does bundle.json's inputs " + manifest.inputs()
                                    + " match the model? Re-export the bundle",
                            e);
                }
                checkOutput(manifest, bundle, shape, output);
            }
        }
    }

    private static void checkOutput(BundleManifest manifest, ModelBundle bundle, TraceShape shape, ModelOutput output) {
        long[] expected = switch (manifest.task()) {
            case SEQUENCE_CLASSIFICATION ->
                new long[] {shape.batch(), manifest.labels().size()};
            case TOKEN_CLASSIFICATION ->
                new long[] {shape.batch(), shape.seqLen(), manifest.labels().size()};
            case EMBEDDING -> new long[] {shape.batch(), shape.seqLen(), manifest.outputWidth()};
        };
        if (!Arrays.equals(expected, output.shape())) {
            throw new BundleException(
                    bundle.modelFile(),
                    "outputs shape " + Arrays.toString(output.shape()) + " at "
                            + shape + " but bundle.json describes a " + manifest.task() + " model with output "
                            + Arrays.toString(expected) + "; re-export the bundle");
        }
    }

    public BundleManifest manifest() {
        return manifest;
    }

    /** The bundle this model was loaded from (null when wired from parts). */
    public ModelBundle bundle() {
        return bundle;
    }

    public Task task() {
        return manifest.task();
    }

    /** The shapes this model runs at, smallest first. */
    public List<TraceShape> shapes() {
        return shapes;
    }

    /** The most rows one forward pass takes. */
    public int maxBatchSize() {
        return maxBatch;
    }

    /**
     * Milliseconds getting this model took: tokenizer, libtorch load and warm-up, or only the look-up for a
     * model of {@link #openShared} that was loaded already.
     */
    public long loadMillis() {
        return loadMillis;
    }

    /** Tokenizes one input (truncating it to the model's length). */
    public EncodedText encode(TextInput input) {
        return encoder.encode(input);
    }

    /**
     * Runs every shape a few times on the calling thread. libtorch's graph executor settles per shape
     * and thread over its first calls; a thread that serves a shared model without this would pay for
     * it on live events, at the tail of their latency.
     */
    public void warmUpThisThread() {
        EncodedText sample = encoder.encode(TextInput.of("torchstream warm-up"));
        for (TraceShape shape : shapes) {
            PaddedBatch batch = PaddedBatch.of(
                    Collections.nCopies(shape.batch(), sample.head(shape.seqLen())),
                    shape,
                    manifest.padTokenId(),
                    manifest.padTokenTypeId());
            for (int i = 0; i < TorchEngine.warmUpRuns(); i++) {
                forward(batch);
            }
        }
        warmedUp.set(true);
    }

    /**
     * Warms up the calling thread unless it has run this model's shapes already (it loaded the model, or
     * ran {@link #warmUpThisThread}), or unless the graph executor does not re-optimise per thread (see
     * {@link TorchEngine#GRAPH_OPTIMIZER}): then the warm-up at load, on one thread, served them all. Models
     * wired from parts need no warm-up.
     */
    public void warmUpThisThreadOnce() {
        if (bundle != null && TorchEngine.warmUpRuns() > 1 && !warmedUp.get()) {
            warmUpThisThread();
        }
    }

    /** Pads rows (at most {@link #maxBatchSize()}) to the smallest verified shape that holds them. */
    public PaddedBatch pad(List<EncodedText> rows) {
        return PaddedBatch.of(rows, shapeFor(rows), manifest.padTokenId(), manifest.padTokenTypeId());
    }

    /** The bare forward pass: the model's raw first output for a padded batch, padded rows included. */
    public ModelOutput forward(PaddedBatch batch) {
        if (closed.get()) {
            throw new IllegalStateException("model " + manifest.name() + " is closed");
        }
        return runner.run(batch);
    }

    /** Predicts every input, in order, in as few forward passes as the shapes allow. */
    public Predictions predict(List<TextInput> inputs) {
        List<EncodedText> rows = new ArrayList<>(inputs.size());
        for (TextInput input : inputs) {
            rows.add(encoder.encode(input));
        }
        return predictEncoded(rows);
    }

    /**
     * Predicts already tokenized rows, returned in their order. Rows are grouped by length first, so
     * that short texts do not pay for the padding of long ones: each group runs at the smallest
     * verified shape that holds it.
     */
    public Predictions predictEncoded(List<EncodedText> rows) {
        Prediction[] results = new Prediction[rows.size()];
        List<ForwardStats> forwards = new ArrayList<>();
        for (List<Integer> group : groups(rows)) {
            List<EncodedText> chunk = new ArrayList<>(group.size());
            group.forEach(i -> chunk.add(rows.get(i)));
            PaddedBatch batch = pad(chunk);
            long started = System.nanoTime();
            ModelOutput output = forward(batch);
            forwards.add(
                    new ForwardStats(batch.shape(), chunk.size(), batch.realTokens(), System.nanoTime() - started));
            for (int r = 0; r < chunk.size(); r++) {
                results[group.get(r)] = decoder.decode(output, r, chunk.get(r));
            }
        }
        return new Predictions(Arrays.asList(results), forwards);
    }

    /**
     * Splits rows into forward passes: rows that need the same sequence length go together, in their
     * order, at most a batch at a time; a partial group rides along with the next longer one when one
     * pass over both computes fewer tokens than two passes.
     */
    List<List<Integer>> groups(List<EncodedText> rows) {
        TreeMap<Integer, List<Integer>> byLength = new TreeMap<>();
        for (int i = 0; i < rows.size(); i++) {
            int length = rows.get(i).length();
            int seqLen = shapes.stream()
                    .mapToInt(TraceShape::seqLen)
                    .filter(l -> l >= length)
                    .min()
                    .orElse(length);
            byLength.computeIfAbsent(seqLen, k -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> groups = new ArrayList<>();
        List<Integer> carried = new ArrayList<>();
        for (List<Integer> bucket : byLength.values()) {
            List<List<Integer>> chunks = new ArrayList<>();
            for (int from = 0; from < bucket.size(); from += maxBatch) {
                chunks.add(new ArrayList<>(bucket.subList(from, Math.min(bucket.size(), from + maxBatch))));
            }
            if (!carried.isEmpty()) {
                List<Integer> first = chunks.get(0);
                List<Integer> merged = new ArrayList<>(carried);
                merged.addAll(first);
                if (merged.size() <= maxBatch && tokens(merged, rows) <= tokens(carried, rows) + tokens(first, rows)) {
                    chunks.set(0, merged);
                } else {
                    groups.add(carried);
                }
            }
            List<Integer> last = chunks.get(chunks.size() - 1);
            carried = last.size() < maxBatch ? chunks.remove(chunks.size() - 1) : new ArrayList<>();
            groups.addAll(chunks);
        }
        if (!carried.isEmpty()) {
            groups.add(carried);
        }
        return groups;
    }

    private long tokens(List<Integer> group, List<EncodedText> rows) {
        List<EncodedText> members = new ArrayList<>(group.size());
        group.forEach(i -> members.add(rows.get(i)));
        return shapeFor(members).tokens();
    }

    /** The smallest verified shape that holds every row; shapes are sorted by size. */
    TraceShape shapeFor(List<EncodedText> rows) {
        int longest = 0;
        for (EncodedText row : rows) {
            longest = Math.max(longest, row.length());
        }
        for (TraceShape shape : shapes) {
            if (shape.batch() >= rows.size() && shape.seqLen() >= longest) {
                return shape;
            }
        }
        throw new IllegalArgumentException(rows.size() + " rows of up to " + longest + " tokens fit none of " + shapes);
    }

    /** Whether {@link #close()} has not been called. */
    public boolean isOpen() {
        return !closed.get();
    }

    /** Closes this model; native memory the JVM's store shares with other users is released at once. */
    @Override
    public void close() {
        release(0);
    }

    /**
     * Closes this model; a model of {@link #openShared} lets go of its natives, which the store keeps for
     * {@code keepAliveMillis} for a next user (a task restarted, a job submitted again) before closing them.
     */
    public void release(long keepAliveMillis) {
        if (closed.compareAndSet(false, true)) {
            if (nativeKey != null) {
                NativeModels.release(nativeKey, keepAliveMillis);
                return;
            }
            try {
                runner.close();
            } finally {
                encoder.close();
            }
        }
    }
}
