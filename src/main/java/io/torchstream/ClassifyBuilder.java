package io.torchstream;

import io.torchstream.internal.session.ModelSession;
import io.torchstream.internal.task.Classification;
import io.torchstream.internal.task.Prediction;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;

import java.util.Map;

/**
 * Builds a stream of {@link Classified} elements: with a sequence-classification bundle, or with an
 * embedding bundle and labels described in words ({@link ModelSpec#labelsFile}, {@link ModelSpec#labels}).
 *
 * @param <T> the element type
 */
@PublicEvolving
public final class ClassifyBuilder<T> extends InferenceBuilder<T, Classified<T>, ClassifyBuilder<T>> {

    ClassifyBuilder(DataStream<T> input) {
        super(input);
    }

    @Override
    String verb() {
        return "classify";
    }

    @Override
    ModelSession.Output output() {
        return ModelSession.Output.CLASSIFICATION;
    }

    @Override
    String needs() {
        return "a sequence-classification bundle, or an embedding bundle with labels (ModelSpec.labelsFile or"
                + " ModelSpec.labels)";
    }

    @Override
    TypeInformation<Classified<T>> resultType(TypeInformation<T> valueType) {
        return Classified.typeInfo(valueType);
    }

    @Override
    ResultFactory<T, Classified<T>> results() {
        return ClassifyBuilder::classified;
    }

    private static <T> Classified<T> classified(T value, Prediction prediction, ModelSession.Batch batch) {
        Classification c = (Classification) prediction;
        String[] labels = new String[c.scores().size()];
        double[] scores = new double[labels.length];
        int i = 0;
        for (Map.Entry<String, Double> e : c.scores().entrySet()) {
            labels[i] = e.getKey();
            scores[i++] = e.getValue();
        }
        return new Classified<>(
                value, c.label(), c.score(), labels, scores, c.truncated(), batch.modelName(), batch.modelVersion());
    }
}
