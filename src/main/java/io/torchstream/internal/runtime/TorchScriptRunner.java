package io.torchstream.internal.runtime;

import io.torchstream.internal.bundle.BundleException;
import io.torchstream.internal.bundle.ModelBundle;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a bundle's traced TorchScript module with DJL's PyTorch engine. Every forward pass allocates
 * its tensors in a child manager that is closed before returning, so native memory stays flat.
 * Thread-safe: a TorchScript module's forward may run on several threads at once.
 */
public final class TorchScriptRunner implements ModelRunner {

    private final Path modelFile;
    private final List<String> inputs;
    private final Model model;
    private final AtomicBoolean closed = new AtomicBoolean();

    private TorchScriptRunner(Path modelFile, List<String> inputs, Model model) {
        this.modelFile = modelFile;
        this.inputs = inputs;
        this.model = model;
    }

    /** Loads the bundle's model.pt into libtorch. */
    public static TorchScriptRunner load(ModelBundle bundle, int intraOpThreads) {
        TorchEngine.start(intraOpThreads);
        Path file = bundle.modelFile();
        Model model = Model.newInstance(bundle.manifest().name(), Device.cpu(), TorchEngine.ENGINE_NAME);
        try {
            model.load(file);
        } catch (IOException | MalformedModelException | EngineException e) {
            model.close();
            throw new BundleException(
                    file,
                    "cannot be loaded by libtorch (" + e.getMessage() + "); export it with the"
                            + " torch version pinned in export/requirements.txt, which matches this libtorch",
                    e);
        }
        return new TorchScriptRunner(file, bundle.manifest().inputs(), model);
    }

    /**
     * Runs a module that {@link #load} loaded for the same bundle files (from {@link NativeModels}); closing
     * this runner closes the module.
     */
    public static TorchScriptRunner over(ModelBundle bundle, AutoCloseable loaded) {
        return new TorchScriptRunner(bundle.modelFile(), bundle.manifest().inputs(), (Model) loaded);
    }

    /** The loaded DJL model, for {@link NativeModels} to keep beyond this runner. */
    public AutoCloseable nativeModel() {
        return model;
    }

    @Override
    public ModelOutput run(PaddedBatch batch) {
        if (closed.get()) {
            throw new IllegalStateException("model " + modelFile + " is closed");
        }
        Shape shape = new Shape(batch.shape().batch(), batch.shape().seqLen());
        try (NDManager scope = model.getNDManager().newSubManager()) {
            NDList in = new NDList(inputs.size());
            for (String name : inputs) {
                in.add(scope.create(batch.input(name), shape));
            }
            NDList out;
            try {
                out = model.getBlock().forward(new ParameterStore(scope, false), in, false);
            } catch (EngineException e) {
                throw new ModelRunException(
                        "the forward pass of " + modelFile + " at " + batch.shape() + " with inputs " + inputs
                                + " failed: " + firstLine(e.getMessage()),
                        e);
            }
            NDArray first = out.get(0);
            if (first.getDataType() != DataType.FLOAT32) {
                first = first.toType(DataType.FLOAT32, false);
            }
            return new ModelOutput(first.toFloatArray(), first.getShape().getShape());
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no message";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            model.close();
        }
    }
}
