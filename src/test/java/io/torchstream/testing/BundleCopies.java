package io.torchstream.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Copies of fixture bundles to break on purpose. */
public final class BundleCopies {

    private BundleCopies() {}

    public static Path copy(String fixture, Path target) {
        return copy(Fixtures.bundleDir(fixture), target);
    }

    public static Path copy(Path bundle, Path target) {
        try {
            Files.createDirectories(target);
            try (Stream<Path> files = Files.list(bundle)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.copy(file, target.resolve(file.getFileName()));
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites bundle.json in place. */
    public static void editManifest(Path bundle, Consumer<ObjectNode> edit) {
        try {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode root =
                    (ObjectNode) mapper.readTree(bundle.resolve("bundle.json").toFile());
            edit.accept(root);
            mapper.writerWithDefaultPrettyPrinter()
                    .writeValue(bundle.resolve("bundle.json").toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
