package io.torchstream.bench;

import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.flink.TorchstreamMetrics;
import io.torchstream.internal.runtime.TorchEngine;
import io.torchstream.internal.task.Embedding;
import io.torchstream.internal.task.LabelClassifier;
import io.torchstream.internal.task.LabelSpec;
import io.torchstream.internal.task.TextModel;

import org.apache.flink.api.common.accumulators.LongMaximum;
import org.apache.flink.api.common.accumulators.LongMinimum;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

import ai.djl.Model;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

import java.nio.file.Path;
import java.util.List;

/**
 * What users write without torchstream, after DJL's Flink examples: one {@code Predictor.predict} per
 * event in a map function, the text padded to the traced length by the tokenizer, batch of one.
 * Mean pooling and the same label classifier follow, so that the work per event is the same.
 */
final class PerEventPredictor extends RichMapFunction<String, String> {

    private static final long serialVersionUID = 1L;

    private final String bundle;
    private final List<LabelSpec> labels;
    private final double scale;

    private transient Model model;
    private transient HuggingFaceTokenizer tokenizer;
    private transient Predictor<String, float[]> predictor;
    private transient LabelClassifier classifier;
    private transient TextModel labelModel;
    private transient LongMinimum first;
    private transient LongMaximum last;

    PerEventPredictor(String bundle, List<LabelSpec> labels, double scale) {
        this.bundle = bundle;
        this.labels = List.copyOf(labels);
        this.scale = scale;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        ModelBundle b = ModelBundle.open(Path.of(bundle));
        int seqLen = b.manifest().maxLength();
        TorchEngine.start(0);
        tokenizer = HuggingFaceTokenizer.builder()
                .optTokenizerPath(b.tokenizerFile())
                .optPadToMaxLength()
                .optMaxLength(seqLen)
                .optTruncation(true)
                .build();
        model = Model.newInstance("per-event", TorchEngine.ENGINE_NAME);
        model.load(b.modelFile());
        predictor = model.newPredictor(new NoBatchifyTranslator<String, float[]>() {
            @Override
            public NDList processInput(TranslatorContext ctx, String text) {
                Encoding e = tokenizer.encode(text);
                ctx.setAttachment("mask", e.getAttentionMask());
                NDManager m = ctx.getNDManager();
                return new NDList(
                        m.create(e.getIds()).expandDims(0),
                        m.create(e.getAttentionMask()).expandDims(0),
                        m.create(e.getTypeIds()).expandDims(0));
            }

            @Override
            public float[] processOutput(TranslatorContext ctx, NDList list) {
                long[] mask = (long[]) ctx.getAttachment("mask");
                float[] hidden = list.get(0).toFloatArray();
                int width = hidden.length / mask.length;
                float[] mean = new float[width];
                int tokens = 0;
                for (int t = 0; t < mask.length; t++) {
                    if (mask[t] == 1) {
                        tokens++;
                        for (int h = 0; h < width; h++) {
                            mean[h] += hidden[t * width + h];
                        }
                    }
                }
                for (int h = 0; h < width; h++) {
                    mean[h] /= tokens;
                }
                return mean;
            }
        });
        // The labels' prototypes come from the same model; only the per-event path is measured.
        labelModel = TextModel.open(b, 0);
        classifier = LabelClassifier.create(labelModel, labels, scale);
        first = new LongMinimum();
        last = new LongMaximum();
        getRuntimeContext()
                .addAccumulator(TorchstreamMetrics.ACCUMULATOR_PREFIX + TorchstreamMetrics.FIRST_EVENT_MILLIS, first);
        getRuntimeContext()
                .addAccumulator(TorchstreamMetrics.ACCUMULATOR_PREFIX + TorchstreamMetrics.LAST_RESULT_MILLIS, last);
    }

    @Override
    public String map(String text) throws Exception {
        first.add(System.currentTimeMillis());
        String label = classifier
                .classify(new Embedding(predictor.predict(text), false))
                .label();
        last.add(System.currentTimeMillis());
        return label;
    }

    @Override
    public void close() {
        if (predictor != null) {
            predictor.close();
            model.close();
            tokenizer.close();
            labelModel.close();
            predictor = null;
        }
    }
}
