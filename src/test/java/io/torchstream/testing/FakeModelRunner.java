package io.torchstream.testing;

import io.torchstream.internal.bundle.BundleManifest;
import io.torchstream.internal.bundle.TraceShape;
import io.torchstream.internal.runtime.ModelOutput;
import io.torchstream.internal.runtime.ModelRunException;
import io.torchstream.internal.runtime.ModelRunner;
import io.torchstream.internal.runtime.PaddedBatch;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A model without libtorch, for tests of batching and grouping: each row's logits are a function of
 * its real tokens alone (as a real model's are of its unpadded input), and every forward pass is
 * recorded with its shape.
 */
public final class FakeModelRunner implements ModelRunner {

    private final BundleManifest manifest;
    private final Predicate<long[]> breaksOn;
    private final List<TraceShape> ran = new ArrayList<>();
    private boolean closed;

    public FakeModelRunner(BundleManifest manifest) {
        this(manifest, ids -> false);
    }

    /** A runner whose forward pass throws for any batch with a row whose real token ids {@code breaksOn} matches. */
    public FakeModelRunner(BundleManifest manifest, Predicate<long[]> breaksOn) {
        this.manifest = manifest;
        this.breaksOn = breaksOn;
    }

    /** The logit of label {@code k} for a row with these real token ids. */
    public static float logit(long[] ids, int k) {
        long h = 17;
        for (long id : ids) {
            h = h * 31 + id;
        }
        return (float) Math.floorMod(h * (k + 7), 1000) / 100f;
    }

    @Override
    public ModelOutput run(PaddedBatch batch) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        TraceShape shape = batch.shape();
        ran.add(shape);
        int labels = manifest.labels().size();
        float[] data = new float[shape.batch() * labels];
        for (int r = 0; r < shape.batch(); r++) {
            long[] real = realIds(batch, r);
            if (breaksOn.test(real)) {
                throw new ModelRunException("a row of " + real.length + " tokens broke the fake model");
            }
            for (int k = 0; k < labels; k++) {
                data[r * labels + k] = logit(real, k);
            }
        }
        return new ModelOutput(data, new long[] {shape.batch(), labels});
    }

    private static long[] realIds(PaddedBatch batch, int row) {
        int seqLen = batch.shape().seqLen();
        List<Long> ids = new ArrayList<>();
        for (int t = 0; t < seqLen; t++) {
            if (batch.attentionMask()[row * seqLen + t] != 0) {
                ids.add(batch.inputIds()[row * seqLen + t]);
            }
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    /** The shapes of the forward passes run so far, in order. */
    public List<TraceShape> ran() {
        return ran;
    }

    @Override
    public void close() {
        closed = true;
    }
}
