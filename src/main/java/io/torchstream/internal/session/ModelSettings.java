package io.torchstream.internal.session;

import io.torchstream.internal.task.Aggregation;
import io.torchstream.internal.task.LabelSpec;
import io.torchstream.internal.task.ShapePolicy;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * The model options resolved and checked ({@link ModelOptions#read}): immutable, and shipped with the
 * job to the TaskManagers.
 *
 * @param bundle the bundle folder, absolute, as the TaskManagers see it
 * @param sharing one model per slot, or one per TaskManager
 * @param threads libtorch threads per TaskManager process; 0 picks cores / slots
 * @param shapes which of the bundle's verified shapes the model runs at
 * @param maxLength the longest text in tokens that must not be cut (0: the traced length)
 * @param truncate whether a text longer than the model is cut to its length (or refused)
 * @param labels labels described in words, for classifying with an embedding bundle; empty to emit
 *     the embeddings themselves (or the bundle's own labels for classification bundles)
 * @param labelScale the factor on cosine similarities before the softmax over labels
 * @param tagging how token-classification bundles turn tokens into entities
 * @param redaction PII detection and redaction, for token-classification bundles
 * @param reload whether and how a repository of versions is polled for new ones
 * @param batchMaxSize the most events per micro-batch (0: chosen from the bundle)
 * @param batchMaxWait the longest an event waits for its micro-batch to fill
 */
public record ModelSettings(
        String bundle,
        ModelSharing sharing,
        int threads,
        ShapePolicy shapes,
        int maxLength,
        boolean truncate,
        List<LabelSpec> labels,
        double labelScale,
        Tagging tagging,
        RedactionSettings redaction,
        Reload reload,
        int batchMaxSize,
        Duration batchMaxWait)
        implements Serializable {

    /**
     * Entity decoding for token-classification bundles.
     *
     * @param aggregation the pipeline's aggregation strategy
     * @param stride tokens shared by consecutive windows of a long text (-1: a quarter of the length)
     * @param ignoreLabels labels that mean "no entity"
     */
    public record Tagging(Aggregation aggregation, int stride, List<String> ignoreLabels) implements Serializable {
        public Tagging {
            ignoreLabels = List.copyOf(ignoreLabels);
        }

        public static Tagging defaults() {
            return new Tagging(Aggregation.SIMPLE, -1, List.of("O"));
        }
    }

    /**
     * Hot reload from a repository of numbered versions.
     *
     * @param interval how often the repository (or the topic) is polled for a newer whole version; zero: never
     *     (with a topic: every second)
     * @param sameLabels whether a version whose labels differ from those the session started with is refused
     * @param topic a Kafka topic whose records name the version to serve, instead of polling the repository;
     *     null for none
     * @param bootstrapServers the Kafka brokers of {@code topic}
     */
    public record Reload(Duration interval, boolean sameLabels, String topic, String bootstrapServers)
            implements Serializable {
        public Reload(Duration interval, boolean sameLabels) {
            this(interval, sameLabels, null, null);
        }

        public static Reload off() {
            return new Reload(Duration.ZERO, true);
        }

        public boolean enabled() {
            return !interval.isZero() || topic != null;
        }
    }

    public ModelSettings {
        labels = List.copyOf(labels);
    }

    /** Settings for a bundle whose own outputs are the results, with every other option at its default. */
    public static ModelSettings of(String bundle) {
        return new ModelSettings(
                bundle,
                ModelSharing.TASK_MANAGER,
                0,
                ShapePolicy.VERIFIED,
                0,
                true,
                List.of(),
                40.0,
                Tagging.defaults(),
                RedactionSettings.off(),
                Reload.off(),
                0,
                Duration.ofMillis(20));
    }

    public ModelSettings withTagging(Tagging value) {
        return new ModelSettings(
                bundle,
                sharing,
                threads,
                shapes,
                maxLength,
                truncate,
                labels,
                labelScale,
                value,
                redaction,
                reload,
                batchMaxSize,
                batchMaxWait);
    }

    public ModelSettings withBatch(int maxSize, Duration maxWait) {
        return new ModelSettings(
                bundle,
                sharing,
                threads,
                shapes,
                maxLength,
                truncate,
                labels,
                labelScale,
                tagging,
                redaction,
                reload,
                maxSize,
                maxWait);
    }

    public ModelSettings withReload(Reload value) {
        return new ModelSettings(
                bundle,
                sharing,
                threads,
                shapes,
                maxLength,
                truncate,
                labels,
                labelScale,
                tagging,
                redaction,
                value,
                batchMaxSize,
                batchMaxWait);
    }

    public ModelSettings withRedaction(RedactionSettings value) {
        return new ModelSettings(
                bundle,
                sharing,
                threads,
                shapes,
                maxLength,
                truncate,
                labels,
                labelScale,
                tagging,
                value,
                reload,
                batchMaxSize,
                batchMaxWait);
    }
}
