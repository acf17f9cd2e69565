package io.torchstream;

import io.torchstream.internal.session.ModelSession;
import io.torchstream.internal.task.Entities;
import io.torchstream.internal.task.Entity;
import io.torchstream.internal.task.Prediction;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds a stream of {@link Tagged} elements with a token-classification bundle: entity spans with
 * character offsets, as transformers' token-classification pipeline finds them; texts longer than the
 * model run as overlapping windows.
 *
 * @param <T> the element type
 */
@PublicEvolving
public final class TagBuilder<T> extends InferenceBuilder<T, Tagged<T>, TagBuilder<T>> {

    TagBuilder(DataStream<T> input) {
        super(input);
    }

    @Override
    String verb() {
        return "tag";
    }

    @Override
    ModelSession.Output output() {
        return ModelSession.Output.ENTITIES;
    }

    @Override
    String needs() {
        return "a token-classification bundle";
    }

    @Override
    TypeInformation<Tagged<T>> resultType(TypeInformation<T> valueType) {
        return Tagged.typeInfo(valueType);
    }

    @Override
    ResultFactory<T, Tagged<T>> results() {
        return TagBuilder::tagged;
    }

    private static <T> Tagged<T> tagged(T value, Prediction prediction, ModelSession.Batch batch) {
        Entities entities = (Entities) prediction;
        List<EntitySpan> spans = new ArrayList<>(entities.entities().size());
        for (Entity e : entities.entities()) {
            spans.add(new EntitySpan(
                    e.label(), e.grouped(), e.score(), e.index(), e.word(), e.start(), e.end(), e.source()));
        }
        return new Tagged<>(
                value, spans, entities.redacted(), entities.truncated(), batch.modelName(), batch.modelVersion());
    }
}
