package io.torchstream.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
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

    /** Publishes a fixture as version {@code version} of a repository: copied beside it, then renamed in. */
    public static Path publish(String fixture, Path repository, long version) {
        try {
            Path staging = copy(fixture, repository.resolve(".staging-" + version));
            return Files.move(staging, repository.resolve(Long.toString(version)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A version being copied file by file: all but bundle.json there, and model.pt cut short. */
    public static Path halfCopy(String fixture, Path repository, long version) {
        Path target = copy(fixture, repository.resolve(Long.toString(version)));
        try {
            Files.delete(target.resolve("bundle.json"));
            byte[] model = Files.readAllBytes(target.resolve("model.pt"));
            Files.write(target.resolve("model.pt"), Arrays.copyOf(model, model.length / 2));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a folder and everything in it. */
    public static void delete(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flips one byte of a bundle's model.pt, keeping its size: its sha256 no longer matches. */
    public static void corruptModel(Path bundle) {
        try {
            Path model = bundle.resolve("model.pt");
            byte[] bytes = Files.readAllBytes(model);
            bytes[bytes.length / 2] ^= 0x5a;
            Files.write(model, bytes);
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
