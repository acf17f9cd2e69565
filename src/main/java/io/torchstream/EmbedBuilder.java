package io.torchstream;

import io.torchstream.internal.session.ModelSession;
import io.torchstream.internal.task.Embedding;
import io.torchstream.internal.task.Prediction;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Builds a stream of {@link Embedded} elements with an embedding bundle: pooled sentence vectors.
 *
 * @param <T> the element type
 */
@PublicEvolving
public final class EmbedBuilder<T> extends InferenceBuilder<T, Embedded<T>, EmbedBuilder<T>> {

    EmbedBuilder(DataStream<T> input) {
        super(input);
    }

    @Override
    String verb() {
        return "embed";
    }

    @Override
    ModelSession.Output output() {
        return ModelSession.Output.EMBEDDING;
    }

    @Override
    String needs() {
        return "an embedding bundle without labels";
    }

    @Override
    TypeInformation<Embedded<T>> resultType(TypeInformation<T> valueType) {
        return Embedded.typeInfo(valueType);
    }

    @Override
    ResultFactory<T, Embedded<T>> results() {
        return EmbedBuilder::embedded;
    }

    private static <T> Embedded<T> embedded(T value, Prediction prediction, ModelSession.Batch batch) {
        Embedding e = (Embedding) prediction;
        return new Embedded<>(value, e.vector(), e.truncated(), batch.modelName(), batch.modelVersion());
    }
}
