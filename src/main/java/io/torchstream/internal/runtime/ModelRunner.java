package io.torchstream.internal.runtime;

/**
 * Runs one padded batch through a model. The DJL/libtorch implementation is {@link TorchScriptRunner};
 * tests that need no libtorch use a hand-written fake.
 */
public interface ModelRunner extends AutoCloseable {

    /** Runs the forward pass; the batch is at one of the shapes the model was verified at. */
    ModelOutput run(PaddedBatch batch);

    /** Frees native memory; safe to call more than once. */
    @Override
    void close();
}
