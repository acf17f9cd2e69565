package io.torchstream.internal.bundle;

import java.nio.file.Path;

/** A model bundle that cannot be used; the message names the file and what to do about it. */
public class BundleException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final Path file;

    public BundleException(Path file, String message) {
        this(file, message, null);
    }

    public BundleException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    /** A bundle on a remote filesystem at fault, named by its URI. */
    public BundleException(String location, String message, Throwable cause) {
        super(location + ": " + message, cause);
        this.file = null;
    }

    /** The file (or bundle folder) at fault; null for one on a remote filesystem. */
    public Path file() {
        return file;
    }
}
