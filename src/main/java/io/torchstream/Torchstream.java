package io.torchstream;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * Transformer models on any {@code DataStream<T>}: each element's text runs through a TorchScript
 * bundle, micro-batched and padded to the shapes the bundle was traced and verified at, and comes out as
 * a typed result that keeps the element, its timestamp and its order within the subtask.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<Classified<Order>> classified = Torchstream.classify(orders)
 *     .text(Order::description)
 *     .model(ModelSpec.bundle("models/all-minilm-l6-v2").labelsFile("labels.yaml"))
 *     .batch(32, Duration.ofMillis(20))
 *     .build();
 * DataStream<DeadLetter<Order>> refused = Torchstream.deadLetters(classified);
 * }</pre>
 *
 * <p>The model loads once per TaskManager (or per slot) when the job starts, on the TaskManagers; DJL
 * and its libtorch must be on their classpath.
 */
@PublicEvolving
public final class Torchstream {

    /** The id of the dead-letter side output of every torchstream operator. */
    public static final String DEAD_LETTERS = "torchstream-dead-letters";

    private Torchstream() {}

    /**
     * Classifies each element's text: with a sequence-classification bundle, or an embedding bundle and
     * labels described in words.
     *
     * @param input any stream
     * @param <T> its element type
     * @return a builder; {@code build()} adds the operator
     */
    public static <T> ClassifyBuilder<T> classify(DataStream<T> input) {
        return new ClassifyBuilder<>(input);
    }

    /**
     * Tags entity spans in each element's text, with a token-classification bundle.
     *
     * @param input any stream
     * @param <T> its element type
     * @return a builder; {@code build()} adds the operator
     */
    public static <T> TagBuilder<T> tag(DataStream<T> input) {
        return new TagBuilder<>(input);
    }

    /**
     * Embeds each element's text, with an embedding bundle.
     *
     * @param input any stream
     * @param <T> its element type
     * @return a builder; {@code build()} adds the operator
     */
    public static <T> EmbedBuilder<T> embed(DataStream<T> input) {
        return new EmbedBuilder<>(input);
    }

    /**
     * The elements that {@code results}' operator refused, each with the reason.
     *
     * @param results a stream that {@code build()} of one of the builders returned
     * @param <T> the element type
     * @return the dead letters, each with its element's timestamp
     * @throws IllegalArgumentException if {@code results} was not built by torchstream
     */
    public static <T> DataStream<DeadLetter<T>> deadLetters(
            SingleOutputStreamOperator<? extends ModelResult<T>> results) {
        if (!(results.getType() instanceof PojoTypeInfo<?> pojo) || pojo.getFieldIndex("value") < 0) {
            throw new IllegalArgumentException(
                    "deadLetters(...) takes a stream that Torchstream.classify, tag or embed built;" + " got one of "
                            + results.getType());
        }
        @SuppressWarnings("unchecked")
        TypeInformation<T> valueType = (TypeInformation<T>) pojo.getTypeAt("value");
        return results.getSideOutput(deadLetterTag(valueType));
    }

    static <T> OutputTag<DeadLetter<T>> deadLetterTag(TypeInformation<T> valueType) {
        return new OutputTag<>(DEAD_LETTERS, DeadLetter.typeInfo(valueType));
    }
}
