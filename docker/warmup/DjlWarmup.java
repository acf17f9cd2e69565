import ai.djl.engine.Engine;
import ai.djl.util.Utils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

/**
 * Image build step: starts DJL's PyTorch engine and the HuggingFace tokenizers library once, offline,
 * so that their native libraries are extracted into DJL_CACHE_DIR inside the image. At run time DJL finds
 * the extracted files (it checks for them before extracting or downloading) and only loads them.
 *
 * <p>Run with DJL on the class path, DJL_CACHE_DIR and OPT_OUT_TRACKING=true in the environment and
 * -Dai.djl.offline=true -Doffline=true; it fails the build when any of that is missing.
 */
public final class DjlWarmup {

    private DjlWarmup() {}

    public static void main(String[] args) throws IOException {
        String cacheDir = System.getenv("DJL_CACHE_DIR");
        require(cacheDir != null && !cacheDir.isEmpty(), "DJL_CACHE_DIR is not set");
        require(Boolean.getBoolean("ai.djl.offline"), "-Dai.djl.offline=true is missing");
        require(Boolean.getBoolean("offline"), "-Doffline=true is missing");
        require("true".equalsIgnoreCase(System.getenv("OPT_OUT_TRACKING")), "OPT_OUT_TRACKING=true is missing");
        for (String variable : new String[] {"PYTORCH_VERSION", "PYTORCH_FLAVOR", "PYTORCH_LIBRARY_PATH",
                "ENGINE_CACHE_DIR", "RUST_LIBRARY_PATH", "RUST_FLAVOR"}) {
            require(System.getenv(variable) == null && System.getProperty(variable) == null,
                    variable + " is set: DJL would look for (or download) another native library");
        }
        Path cache = Paths.get(cacheDir).toAbsolutePath();
        require(Utils.getEngineCacheDir().toAbsolutePath().equals(cache),
                "DJL would use " + Utils.getEngineCacheDir() + ", not DJL_CACHE_DIR " + cache);

        // PtEngine.newInstance() -> ai.djl.pytorch.jni.LibUtils.loadLibrary(): copies libtorch from the
        // pytorch-native-cpu jar into DJL_CACHE_DIR/pytorch/2.7.1-20250812-cpu-linux-x86_64/ and libdjl_torch.so
        // from the pytorch-jni jar next to it (as 0.36.0-libdjl_torch.so), then System.load()s them. Each copy
        // is skipped when its file is already there: that is what every later start finds.
        Engine engine = Engine.getEngine("PyTorch");
        System.out.println("DjlWarmup: " + engine.getEngineName() + " " + engine.getVersion() + " loaded");

        // The static initialiser of the tokenizers' LibUtils copies libtokenizers.so into
        // DJL_CACHE_DIR/tokenizers/0.21.0-0.36.0-cpu-linux-x86_64/ and loads it; checkStatus() rethrows its failure.
        ai.djl.huggingface.tokenizers.jni.LibUtils.checkStatus();
        System.out.println("DjlWarmup: HuggingFace tokenizers library loaded");

        require(Files.isDirectory(cache.resolve("pytorch")), "nothing was extracted into " + cache.resolve("pytorch"));
        require(Files.isDirectory(cache.resolve("tokenizers")), "nothing was extracted into " + cache.resolve("tokenizers"));
        try (Stream<Path> files = Files.walk(cache)) {
            files.filter(Files::isRegularFile).sorted().forEach(f -> {
                try {
                    System.out.printf("DjlWarmup: %,14d  %s%n", Files.size(f), f);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            System.err.println("DjlWarmup: " + message);
            System.exit(1);
        }
    }
}
