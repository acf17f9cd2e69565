package io.torchstream.internal.text;

import io.torchstream.internal.bundle.BundleException;
import io.torchstream.internal.bundle.ModelBundle;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

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
    private final int stride;

    private TextEncoder(HuggingFaceTokenizer tokenizer, int maxLength, int stride) {
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.stride = stride;
    }

    /** Opens the bundle's tokenizer, truncating at its traced length. */
    public static TextEncoder open(ModelBundle bundle) {
        return open(bundle.tokenizerFile(), bundle.manifest().maxLength(), 0);
    }

    /**
     * Opens a tokenizer.json, truncating at {@code maxLength} tokens (special tokens included); {@link
     * #encodeWindows} then overlaps consecutive windows by {@code stride} tokens.
     */
    public static TextEncoder open(Path tokenizerFile, int maxLength, int stride) {
        Map<String, String> options = Map.of(
                "addSpecialTokens",
                "true",
                // The file's own padding (often a fixed length) must not apply: rows are padded per batch.
                "padding",
                "false",
                "truncation",
                "true",
                "maxLength",
                String.valueOf(maxLength),
                "modelMaxLength",
                String.valueOf(maxLength),
                "stride",
                String.valueOf(stride));
        try {
            return new TextEncoder(HuggingFaceTokenizer.newInstance(tokenizerFile, options), maxLength, stride);
        } catch (IOException | RuntimeException e) {
            throw new BundleException(
                    tokenizerFile,
                    "is not a usable HuggingFace tokenizer (" + e.getMessage()
                            + "); re-export the bundle so that it carries the model's fast tokenizer",
                    e);
        }
    }

    /**
     * An encoder over a tokenizer that {@link #open(ModelBundle)} opened for the same bundle files (kept
     * loaded by the runtime's native model store); closing this encoder closes the tokenizer.
     */
    public static TextEncoder over(ModelBundle bundle, AutoCloseable opened) {
        return new TextEncoder((HuggingFaceTokenizer) opened, bundle.manifest().maxLength(), 0);
    }

    /** The native tokenizer, for the runtime's native model store to keep beyond this encoder. */
    public AutoCloseable nativeTokenizer() {
        return tokenizer;
    }

    /** The longest row, in tokens, this encoder produces. */
    public int maxLength() {
        return maxLength;
    }

    public EncodedText encode(TextInput input) {
        return toEncoded(tokenize(input, false), encoding -> encoding.exceedMaxLength());
    }

    /**
     * The whole text as windows of at most the model's length, consecutive windows sharing {@code
     * stride} tokens, as transformers' pipelines split long texts; offsets refer to the whole text.
     */
    public List<EncodedText> encodeWindows(TextInput input) {
        Encoding first = tokenize(input, true);
        List<EncodedText> windows = new ArrayList<>();
        windows.add(toEncoded(first, e -> false));
        for (Encoding overflow : first.getOverflowing()) {
            windows.add(toEncoded(overflow, e -> false));
        }
        return windows;
    }

    private Encoding tokenize(TextInput input, boolean windows) {
        // As transformers does: an empty second segment is no second segment.
        boolean pair = input.isPair() && !input.textPair().isEmpty();
        return pair
                ? tokenizer.encode(input.text(), input.textPair(), true, windows)
                : tokenizer.encode(input.text(), true, windows);
    }

    /** Tokens shared by consecutive windows. */
    public int stride() {
        return stride;
    }

    private static EncodedText toEncoded(Encoding encoding, Predicate<Encoding> truncated) {
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
        return new EncodedText(
                ids, encoding.getTypeIds(), encoding.getTokens(), starts, ends, truncated.test(encoding));
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
