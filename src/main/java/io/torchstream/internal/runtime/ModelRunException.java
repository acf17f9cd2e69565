package io.torchstream.internal.runtime;

/** A forward pass that libtorch rejected or that produced an unusable output. */
public class ModelRunException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ModelRunException(String message) {
        super(message);
    }

    public ModelRunException(String message, Throwable cause) {
        super(message, cause);
    }
}
