package io.torchstream.cluster;

import io.torchstream.testing.BuildFacts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Where cluster tests keep their processes' configuration and logs: under target/, kept after a failure. */
final class ClusterTests {

    static final Path CLUSTER_JAR = BuildFacts.CLUSTER_JAR;
    static final Path FAT_JAR = BuildFacts.JOB_JAR;

    private ClusterTests() {}

    static Path workDir(String name) throws IOException {
        Path dir = Path.of("target/cluster-it", name).toAbsolutePath();
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }
}
