package io.torchstream.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchstream.internal.bundle.BundleManifest;
import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.testing.BundleCopies;
import io.torchstream.testing.KafkaBroker;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A reload topic on a real Kafka broker: versions are served when a record names them (not when they appear
 * in the repository), once whole, and only if their sha256 matches the record's; records that name nothing are
 * counted as failures; a session opened later starts on the last version the topic named.
 */
class ReloadTopicITCase {

    @TempDir
    static Path brokerDir;

    @TempDir
    Path tmp;

    private static KafkaBroker kafka;

    @BeforeAll
    static void start() {
        kafka = KafkaBroker.start(brokerDir);
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static void send(String topic, String value) {
        kafka.produce(topic, List.<byte[][]>of(new byte[][] {null, value.getBytes(StandardCharsets.UTF_8)}));
    }

    private ModelSettings settings(Path repo, String topic) {
        return ModelSettings.of(repo.toString())
                .withReload(new ModelSettings.Reload(Duration.ZERO, true, topic, kafka.bootstrapServers()));
    }

    private static String sha256(Path bundle) {
        return ModelBundle.open(bundle)
                .manifest()
                .files()
                .get(BundleManifest.MODEL_FILE)
                .sha256();
    }

    @Test
    void versionsAreServedWhenTheTopicNamesThemAndAreWhole() throws Exception {
        kafka.createTopic("sentiment-versions", 2);
        Path repo = tmp.resolve("sentiment");
        BundleCopies.publish("bert-seq-cls", repo, 1);
        try (ModelSession session = ModelSession.open(settings(repo, "sentiment-versions"), 1)) {
            assertThat(session.modelVersion()).isEqualTo("1");

            BundleCopies.publish("bert-seq-cls", repo, 2);
            assertThat(session.reloadNow()).as("in the repository, not named").isFalse();

            send("sentiment-versions", "{\"version\": 2, \"sha256\": \"" + "0".repeat(64) + "\"}");
            assertThat(pollUntil(session)).as("the sha256 differs").isFalse();
            assertThat(session.modelVersion()).isEqualTo("1");
            send("sentiment-versions", "{\"version\": 2, \"sha256\": \"" + sha256(repo.resolve("2")) + "\"}");
            assertThat(pollUntil(session)).as("named again with its sha256").isTrue();
            assertThat(session.modelVersion()).isEqualTo("2");

            send("sentiment-versions", "not json");
            send("sentiment-versions", "{\"version\": 3, \"sha256\": \"" + sha256(repo.resolve("1")) + "\"}");
            assertThat(pollUntil(session)).as("3 is not there yet").isFalse();
            BundleCopies.halfCopy("bert-seq-cls", repo, 3);
            assertThat(session.reloadNow()).as("3 is half copied").isFalse();
            BundleCopies.delete(repo.resolve("3"));
            BundleCopies.publish("bert-seq-cls", repo, 3);
            assertThat(session.reloadNow()).isTrue();
            assertThat(session.modelVersion()).isEqualTo("3");
            assertThat(session.reloadFailures())
                    .as("the sha256, the record that names nothing, 3 not there, 3 half copied")
                    .isEqualTo(4);

            send("sentiment-versions", "{\"version\": 2}");
            assertThat(pollUntil(session)).as("versions only go up").isFalse();
        }
        try (ModelSession restarted = ModelSession.open(settings(repo, "sentiment-versions"), 1)) {
            assertThat(restarted.modelVersion())
                    .as("the topic's last whole version")
                    .isEqualTo("3");
        }
    }

    /** Polls until a swap, or a few seconds: the records may take a moment to reach the consumer. */
    private static boolean pollUntil(ModelSession session) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (session.reloadNow()) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }
}
