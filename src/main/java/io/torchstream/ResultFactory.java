package io.torchstream;

import io.torchstream.internal.session.ModelSession;
import io.torchstream.internal.task.Prediction;

import java.io.Serializable;

/** Makes the typed result of one element from its prediction. */
@FunctionalInterface
interface ResultFactory<T, R> extends Serializable {

    /** The result of {@code value}, predicted in {@code batch}, which says by what model and version. */
    R create(T value, Prediction prediction, ModelSession.Batch batch);
}
