package io.torchstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.text.EncodedText;
import io.torchstream.internal.text.TextEncoder;
import io.torchstream.internal.text.TextInput;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The ONNX Runtime peer: what a Java user would write with ONNX Runtime's own API on the same model exported
 * to ONNX, the same tokenizer, threads and batching as the job (micro-batches of 32 events grouped by length
 * into forward passes of at most 8, each padded to its longest text), mean pooling and L2 normalisation.
 */
final class OrtScenario {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private OrtScenario() {}

    /** {@code ort bundle=DIR onnx=FILE events=FILE threads=N}: DIR gives the tokenizer. */
    static ObjectNode run(Map<String, String> a) throws Exception {
        List<String> texts = BenchEvents.texts(List.of(Path.of(a.get("events"))));
        int threads = Integer.parseInt(a.get("threads"));
        ModelBundle bundle = ModelBundle.open(Path.of(a.get("bundle")));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (TextEncoder encoder = TextEncoder.open(bundle);
                OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            // Idle threads otherwise spin between runs and take the cores the next batch needs.
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            try (OrtSession session = env.createSession(a.get("onnx"), options)) {
                runAll(env, session, encoder, texts.subList(0, Math.min(64, texts.size())));
                long started = System.nanoTime();
                long tokens = runAll(env, session, encoder, texts);
                double seconds = (System.nanoTime() - started) / 1e9;
                ObjectNode r = MAPPER.createObjectNode();
                r.put("events_per_second", texts.size() / seconds);
                r.put("events", texts.size());
                r.put("seconds", seconds);
                r.put("tokens", tokens);
                r.put("onnxruntime", env.getVersion());
                return r;
            }
        }
    }

    private static long runAll(OrtEnvironment env, OrtSession session, TextEncoder encoder, List<String> texts)
            throws Exception {
        long tokens = 0;
        for (int from = 0; from < texts.size(); from += 32) {
            List<EncodedText> group = new ArrayList<>();
            for (String text : texts.subList(from, Math.min(texts.size(), from + 32))) {
                group.add(encoder.encode(TextInput.of(text)));
            }
            group.sort(Comparator.comparingInt(EncodedText::length));
            for (int b = 0; b < group.size(); b += 8) {
                List<EncodedText> batch = group.subList(b, Math.min(group.size(), b + 8));
                tokens += forward(env, session, batch);
            }
        }
        return tokens;
    }

    private static long forward(OrtEnvironment env, OrtSession session, List<EncodedText> batch) throws Exception {
        int rows = batch.size();
        int width = batch.get(rows - 1).length();
        long[] ids = new long[rows * width];
        long[] mask = new long[rows * width];
        long[] types = new long[rows * width];
        for (int r = 0; r < rows; r++) {
            EncodedText e = batch.get(r);
            for (int t = 0; t < e.length(); t++) {
                ids[r * width + t] = e.ids()[t];
                mask[r * width + t] = 1;
                types[r * width + t] = e.typeIds()[t];
            }
        }
        long[] shape = {rows, width};
        try (OnnxTensor inputIds = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
                OnnxTensor attention = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
                OnnxTensor typeIds = OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape);
                OrtSession.Result result = session.run(
                        Map.of("input_ids", inputIds, "attention_mask", attention, "token_type_ids", typeIds),
                        java.util.Set.of("last_hidden_state"))) {
            float[][][] hidden = (float[][][]) result.get(0).getValue();
            for (int r = 0; r < rows; r++) {
                int n = batch.get(r).length();
                float[] v = new float[hidden[r][0].length];
                for (int t = 0; t < n; t++) {
                    for (int k = 0; k < v.length; k++) {
                        v[k] += hidden[r][t][k] / n;
                    }
                }
                double norm = 0;
                for (float x : v) {
                    norm += x * x;
                }
                norm = Math.sqrt(norm);
                for (int k = 0; k < v.length; k++) {
                    v[k] /= (float) norm;
                }
            }
        }
        return (long) rows * width;
    }
}
