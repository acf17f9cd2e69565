package io.torchstream.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchstream.testing.BuildFacts;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** The shaded jars that mvn package builds hold the product: no benchmark, no cluster harness, no test helper. */
class JobJarsPackageIT {

    private static List<String> entries(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(ZipEntry::getName).toList();
        }
    }

    @Test
    void theJobJarsHoldTheProductOnly() throws IOException {
        for (Path jar : List.of(BuildFacts.JOB_JAR, BuildFacts.CLUSTER_JAR)) {
            List<String> names = entries(jar);
            assertThat(names)
                    .as(jar + " has the API and the runner")
                    .contains("io/torchstream/Torchstream.class", "io/torchstream/jobs/TorchstreamJob.class");
            assertThat(names)
                    .as(jar + " has no test code")
                    .noneMatch(n -> n.startsWith("io/torchstream/bench/")
                            || n.startsWith("io/torchstream/testing/")
                            || n.startsWith("io/torchstream/cluster/")
                            || n.contains("LocalFlinkCluster"));
        }
        assertThat(entries(BuildFacts.JOB_JAR))
                .as("the job jar carries DJL and its services")
                .contains("ai/djl/engine/Engine.class", "META-INF/services/ai.djl.engine.EngineProvider");
        assertThat(entries(BuildFacts.CLUSTER_JAR))
                .as("the cluster jar leaves DJL to the TaskManagers' lib/")
                .noneMatch(n -> n.startsWith("ai/djl/"));
        assertThat(entries(BuildFacts.CLUSTER_JAR.resolveSibling("torchstream-lib.jar")))
                .as("the lib/ jar holds the JVM-wide model store and nothing else")
                .filteredOn(n -> n.endsWith(".class"))
                .isNotEmpty()
                .allMatch(n -> n.startsWith("io/torchstream/internal/runtime/NativeModels"));
    }
}
