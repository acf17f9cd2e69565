package io.torchstream.jobs;

/** A job file or override that cannot run; the message names the file, the key, the value and what was expected. */
public class JobSpecException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public JobSpecException(String message) {
        super(message);
    }

    public JobSpecException(String message, Throwable cause) {
        super(message, cause);
    }
}
