package io.torchstream;

import io.torchstream.internal.bundle.BundleManifest;
import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.session.ModelOptions;
import io.torchstream.internal.session.ModelSession;
import io.torchstream.internal.session.ModelSettings;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What every model stream is built from: the input, its text function, the model and the batching.
 * Nothing is checked until {@link #build()}, which fails with a message naming the method to fix.
 *
 * @param <T> the element type
 * @param <R> the result type
 * @param <B> the concrete builder
 */
@PublicEvolving
public abstract class InferenceBuilder<T, R extends ModelResult<T>, B extends InferenceBuilder<T, R, B>> {

    /** The largest text taken by default, in characters: larger ones are dead letters. */
    public static final int DEFAULT_MAX_TEXT_LENGTH = 1 << 20;

    private final DataStream<T> input;
    private TextFunction<T> text;
    private TextFunction<T> textPair;
    private ModelSpec model;
    private Integer batchSize;
    private Duration batchMaxWait = ModelOptions.BATCH_MAX_WAIT.defaultValue();
    private boolean allowEmptyText;
    private int maxTextLength = DEFAULT_MAX_TEXT_LENGTH;
    private String name;
    private String uid;

    InferenceBuilder(DataStream<T> input) {
        this.input = Objects.requireNonNull(input, "input");
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * The function that reads each element's text.
     *
     * @param text such as {@code Order::description}; a null or empty text, or one that throws, makes a dead letter
     * @return this builder
     */
    public B text(TextFunction<T> text) {
        this.text = text;
        return self();
    }

    /**
     * For sentence-pair bundles: the functions that read each element's text and its second segment.
     *
     * @param text the first segment
     * @param pair the second segment
     * @return this builder
     */
    public B textPair(TextFunction<T> text, TextFunction<T> pair) {
        this.text = text;
        this.textPair = pair;
        return self();
    }

    /**
     * The model to run.
     *
     * @param model the bundle and how to serve it
     * @return this builder
     */
    public B model(ModelSpec model) {
        this.model = model;
        return self();
    }

    /**
     * At most {@code maxSize} elements per micro-batch, each waiting at most {@code maxWait} for its batch
     * to fill. A micro-batch runs as one padded forward pass per length group, of at most the bundle's
     * largest batch. Without this: the largest batch times the number of lengths the bundle was verified at
     * (at most 4), and 20 ms.
     *
     * @param maxSize the most elements per micro-batch, at least 1
     * @param maxWait the longest an element waits for its batch to fill; zero runs each element at once
     * @return this builder
     */
    public B batch(int maxSize, Duration maxWait) {
        this.batchSize = maxSize;
        this.batchMaxWait = maxWait;
        return self();
    }

    /**
     * Runs empty and blank texts like any other (the model sees only its special tokens), instead of
     * refusing them.
     *
     * @return this builder
     */
    public B allowEmptyText() {
        this.allowEmptyText = true;
        return self();
    }

    /**
     * Texts longer than this are dead letters.
     *
     * @param chars the limit in characters (default {@value #DEFAULT_MAX_TEXT_LENGTH})
     * @return this builder
     */
    public B maxTextLength(int chars) {
        this.maxTextLength = chars;
        return self();
    }

    /**
     * The operator's name in the Flink UI and logs.
     *
     * @param name the name (default: the verb and the model's name)
     * @return this builder
     */
    public B name(String name) {
        this.name = name;
        return self();
    }

    /**
     * The operator's uid, by which savepoints match its state. Set one that stays the same across
     * versions of the job.
     *
     * @param uid the uid (default: none; the operator keeps no state, so Flink's generated one does)
     * @return this builder
     */
    public B uid(String uid) {
        this.uid = uid;
        return self();
    }

    /** {@code classify}, {@code tag} or {@code embed}: the method of {@link Torchstream} this builder came from. */
    abstract String verb();

    /** What the bundle must emit for this builder. */
    abstract ModelSession.Output output();

    /** Says which bundles (and options) this builder takes. */
    abstract String needs();

    abstract TypeInformation<R> resultType(TypeInformation<T> valueType);

    abstract ResultFactory<T, R> results();

    /**
     * Checks everything against the bundle and adds the operator to the input's job.
     *
     * @return the results, one per element the model predicted, in input order per subtask, each with its
     *     element's timestamp; {@link Torchstream#deadLetters} gives the elements refused or failed
     * @throws IllegalArgumentException naming the method whose argument is wrong
     * @throws IllegalStateException naming the method that was not called
     */
    public SingleOutputStreamOperator<R> build() {
        String verb = verb();
        if (text == null) {
            throw new IllegalStateException(
                    verb + ": text(...) was not called: give the function that reads each element's"
                            + " text, such as text(Order::description)");
        }
        if (model == null) {
            throw new IllegalStateException(verb + ": model(...) was not called: give the bundle, such as"
                    + " model(ModelSpec.bundle(\"models/all-minilm-l6-v2\"))");
        }
        if (batchSize != null && batchSize < 1) {
            throw new IllegalArgumentException("batch(" + batchSize + ", " + batchMaxWait + "): the size must be >= 1");
        }
        if (batchMaxWait == null || batchMaxWait.isNegative()) {
            throw new IllegalArgumentException(
                    "batch(" + batchSize + ", " + batchMaxWait + "): the wait must be a duration >= 0");
        }
        if (maxTextLength < 1) {
            throw new IllegalArgumentException("maxTextLength(" + maxTextLength + "): must be >= 1");
        }
        Map<String, String> batch = new HashMap<>();
        if (batchSize != null) {
            batch.put(ModelOptions.BATCH_MAX_SIZE.key(), String.valueOf(batchSize));
        }
        SpecOptions options = new SpecOptions(model, batch);
        ModelSettings settings = ModelOptions.read(options);
        ModelBundle bundle = ModelOptions.openBundle(settings, options);
        ModelOptions.checkAgainst(bundle, settings, options);
        BundleManifest manifest = bundle.manifest();
        if (ModelSession.outputOf(manifest.task(), !settings.labels().isEmpty()) != output()) {
            throw new IllegalArgumentException(verb + " needs " + needs() + ", but " + bundle.directory() + " is a "
                    + manifest.task() + " bundle" + (settings.labels().isEmpty() ? "" : " with labels"));
        }
        if (manifest.textPair() && textPair == null) {
            throw new IllegalArgumentException(verb + ": " + bundle.directory()
                    + " is a sentence-pair model: give both texts" + " with textPair(text, pair)");
        }
        if (!manifest.textPair() && textPair != null) {
            throw new IllegalArgumentException(verb + ": textPair(...) is for sentence-pair bundles, and "
                    + bundle.directory() + " is not one: give text(...)");
        }
        int size = batchSize != null ? batchSize : ModelOptions.defaultBatchSize(manifest, settings.shapes());
        settings = settings.withBatch(size, batchMaxWait);

        InferenceOperator<T, R> operator = new InferenceOperator<>(
                new InferenceFunction<>(settings, results()),
                new TextAdmission<>(text, textPair, allowEmptyText, maxTextLength),
                Torchstream.deadLetterTag(input.getType()),
                size,
                batchMaxWait.toMillis());
        SingleOutputStreamOperator<R> results = input.transform(
                name != null ? name : verb + ": " + manifest.name(), resultType(input.getType()), operator);
        // The operator keeps no state, so savepoints need no uid of it unless the user gives one.
        return uid != null ? results.uid(uid) : results;
    }
}
