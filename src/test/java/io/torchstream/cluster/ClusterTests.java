package io.torchstream.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Where cluster tests keep their processes' configuration and logs: under target/, kept after a failure. */
final class ClusterTests {

    /** The job without DJL, for TaskManagers that carry DJL in lib/ (as docker/ builds them). */
    static final Path CLUSTER_JAR = Path.of("target/torchstream-0.1.0-SNAPSHOT-cluster.jar");
    /** The job with DJL inside, for clusters without it. */
    static final Path FAT_JAR = Path.of("target/torchstream-0.1.0-SNAPSHOT-job.jar");

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
