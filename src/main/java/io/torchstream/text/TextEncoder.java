package io.torchstream.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;

import io.torchstream.bundle.BundleException;
import io.torchstream.bundle.ModelBundle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Tokenizes text with the bundle's tokenizer.json exactly as transformers does (same Rust library),
 * truncating to the bundle's length. Padding is left to the batch, which knows the shape it runs at.
 */
public final class TextEncoder implements AutoCloseable {

    static {
        // DJL's tokenizer sends telemetry from EC2 unless "offline" is set; torchstream never calls out.
        if (System.getProperty("offline") == null) {
            System.setProperty("offline", "true");
        }
    }

    private final HuggingFaceTokenizer tokenizer;
    private final int maxLength;

    private TextEncoder(HuggingFaceTokenizer tokenizer, int maxLength) {
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
    }

    /** Opens the bundle's tokenizer, truncating at its traced length. */
    public static TextEncoder open(ModelBundle bundle) {
        return open(bundle.tokenizerFile(), bundle.manifest().maxLength());
    }

    /** Opens a tokenizer.json, truncating at {@code maxLength} tokens (special tokens included). */
    public static TextEncoder open(Path tokenizerFile, int maxLength) {
        Map<String, String> options = Map.of(
                "addSpecialTokens", "true",
                // The file's own padding (often a fixed length) must not apply: rows are padded per batch.
                "padding", "false",
                "truncation", "true",
                "maxLength", String.valueOf(maxLength),
                "modelMaxLength", String.valueOf(maxLength));
        try {
            return new TextEncoder(HuggingFaceTokenizer.newInstance(tokenizerFile, options), maxLength);
        } catch (IOException | RuntimeException e) {
            throw new BundleException(tokenizerFile, "is not a usable HuggingFace tokenizer (" + e.getMessage()
                    + "); re-export the bundle so that it carries the model's fast tokenizer", e);
        }
    }

    /** The longest row, in tokens, this encoder produces. */
    public int maxLength() {
        return maxLength;
    }

    public EncodedText encode(TextInput input) {
        // As transformers does: an empty second segment is no second segment.
        boolean pair = input.isPair() && !input.textPair().isEmpty();
        Encoding encoding = pair ? tokenizer.encode(input.text(), input.textPair()) : tokenizer.encode(input.text());
        return toEncoded(encoding);
    }

    private static EncodedText toEncoded(Encoding encoding) {
        long[] ids = encoding.getIds();
        CharSpan[] spans = encoding.getCharTokenSpans();
        int[] starts = new int[ids.length];
        int[] ends = new int[ids.length];
        long[] specialMask = encoding.getSpecialTokenMask();
        for (int i = 0; i < ids.length; i++) {
            CharSpan span = spans[i];
            if (span == null || specialMask[i] == 1) {
                starts[i] = -1;
                ends[i] = -1;
            } else {
                starts[i] = span.getStart();
                ends[i] = span.getEnd();
            }
        }
        return new EncodedText(ids, encoding.getTypeIds(), encoding.getWordIds(), starts, ends, encoding.exceedMaxLength());
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
