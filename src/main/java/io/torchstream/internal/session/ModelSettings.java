package io.torchstream.flink;

import io.torchstream.task.Aggregation;
import io.torchstream.task.LabelSpec;
import io.torchstream.task.ShapePolicy;

import java.io.Serializable;
import java.util.List;

/**
 * How the inference function loads and uses its model.
 *
 * @param bundle the bundle folder, as seen by the TaskManagers
 * @param sharing one model per slot, or one per TaskManager
 * @param intraOpThreads libtorch threads per TaskManager process; 0 picks cores / slots
 * @param includeScores whether classification results carry every label's score
 * @param labels labels described in words, for classifying with an embedding bundle; empty to emit
 *     the embeddings themselves (or the bundle's own labels for classification bundles)
 * @param labelScale the factor on cosine similarities before the softmax over labels
 * @param shapes which of the bundle's verified shapes the model runs at
 * @param tagging how token-classification bundles turn tokens into entities
 */
public record ModelSettings(String bundle, ModelSharing sharing, int intraOpThreads, boolean includeScores, List<LabelSpec> labels,
        double labelScale, ShapePolicy shapes, Tagging tagging) implements Serializable {

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

    public ModelSettings {
        labels = List.copyOf(labels);
    }

    /** Settings for a bundle whose own outputs are the results. */
    public ModelSettings(String bundle, ModelSharing sharing, int intraOpThreads, boolean includeScores) {
        this(bundle, sharing, intraOpThreads, includeScores, List.of(), 1.0, ShapePolicy.VERIFIED, Tagging.defaults());
    }
}
