package io.torchstream.internal.runtime;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

/**
 * Hands freed native heap back to the operating system. libtorch frees a closed model's tensors into glibc's
 * heap, which keeps most of it mapped: without a trim, every model loaded and closed in a long-running
 * TaskManager (a hot reload) leaves the process larger.
 */
public final class NativeMemory {

    private static final Function MALLOC_TRIM = mallocTrim();

    private NativeMemory() {}

    private static Function mallocTrim() {
        try {
            return NativeLibrary.getInstance("c").getFunction("malloc_trim");
        } catch (UnsatisfiedLinkError | RuntimeException notGlibc) {
            return null;
        }
    }

    /** Returns free heap pages to the system where the C library can (glibc's malloc_trim); else does nothing. */
    public static void trim() {
        if (MALLOC_TRIM != null) {
            MALLOC_TRIM.invokeInt(new Object[] {0});
        }
    }
}
