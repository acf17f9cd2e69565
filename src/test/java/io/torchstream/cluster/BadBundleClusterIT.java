package io.torchstream.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchstream.bench.LocalFlinkCluster;
import io.torchstream.testing.BundleCopies;
import io.torchstream.testing.JobFiles;
import io.torchstream.testing.KafkaBroker;

import org.apache.kafka.clients.admin.Admin;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * flink run with a bad bundle fails at start, before anything is submitted: the message names the file
 * and the fix, no job appears on the cluster, and the consumer group has committed no offset.
 */
class BadBundleClusterIT {

    static Path dir;
    static KafkaBroker kafka;
    static LocalFlinkCluster cluster;

    @BeforeAll
    static void start() throws IOException {
        dir = ClusterTests.workDir("bad-bundles");
        kafka = KafkaBroker.start(dir.resolve("kafka"));
        kafka.createTopic("events", 2);
        List<byte[][]> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            events.add(new byte[][] {null, JobFiles.json(Map.of("id", "b" + i, "text", "headline number " + i))});
        }
        kafka.produce("events", events);
        cluster = LocalFlinkCluster.start(Path.of(""), dir.resolve("cluster"), 2, Map.of());
        cluster.startTaskManager();
    }

    @AfterAll
    static void stop() {
        cluster.close();
        kafka.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"altered model", "missing tokenizer", "task the job does not run", "traced too short"})
    void failsAtStartNamingTheFileAndTheFix(String fault) throws Exception {
        Path bundle = BundleCopies.copy(Path.of("models/all-minilm-l6-v2"), dir.resolve(fault.replace(' ', '-')));
        List<String> args = new ArrayList<>(List.of(
                "jobs/classify.yaml",
                "--bundle",
                bundle.toString(),
                "--set",
                "input.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--set",
                "input.kafka.topic=events",
                "--set",
                "input.kafka.group-id=bad-bundle",
                "--set",
                "output.kafka.topic=out",
                "--set",
                "dead-letters.kafka.topic=dlq"));
        String file;
        String fix;
        switch (fault) {
            case "altered model" -> {
                byte[] bytes = Files.readAllBytes(bundle.resolve("model.pt"));
                bytes[bytes.length / 3] ^= 0x10;
                Files.write(bundle.resolve("model.pt"), bytes);
                file = "model.pt";
                fix = "copy it again or re-export the bundle";
            }
            case "missing tokenizer" -> {
                Files.delete(bundle.resolve("tokenizer.json"));
                file = "tokenizer.json";
                fix = "copy the whole bundle folder, or re-export it";
            }
            case "task the job does not run" -> {
                args.set(
                        2,
                        BundleCopies.copy("bert-token-cls", dir.resolve("token-bundle"))
                                .toString());
                file = "token-bundle";
                fix = "remove the labels or use an embedding bundle";
            }
            default -> {
                args.addAll(List.of("--set", "model.max-length=256"));
                file = "bundle.json";
                fix = "Re-export the bundle with --seq-len 256";
            }
        }
        LocalFlinkCluster.Submission run = cluster.submit(true, ClusterTests.CLUSTER_JAR, args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(run.output()).contains(file).contains(fix);
        assertThat(run.jobId()).as("nothing was submitted").isNull();
        try (Admin admin = kafka.admin()) {
            assertThat(admin.listConsumerGroupOffsets("bad-bundle")
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS))
                    .as("offsets of the job's consumer group")
                    .isEmpty();
        }
        assertThat(cluster.jobCount()).as("jobs on the cluster").isZero();
    }
}
