package io.torchstream.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.internal.bundle.BundleException;
import io.torchstream.internal.text.TextInput;
import io.torchstream.testing.BundleCopies;
import io.torchstream.testing.Fixtures;
import io.torchstream.testing.S3Server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Bundles and repositories on object storage, through Flink's S3 filesystem against a real S3-compatible
 * server on loopback: downloaded once into the local cache keyed by bundle.json's sha256, checked before use,
 * and a half-uploaded or corrupt version skipped while the one serving keeps serving.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3BundleTest {

    private static final List<TextInput> TEXTS = List.of(TextInput.of("a fine day"), TextInput.of("a dreadful day"));

    private static S3Server s3;

    @TempDir
    static Path cache;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start();
        s3.bucket("models");
        System.setProperty(BundleStore.CACHE_PROPERTY, cache.toString());
    }

    @AfterAll
    static void stop() {
        System.clearProperty(BundleStore.CACHE_PROPERTY);
        if (s3 != null) {
            s3.close();
        }
        S3Server.resetFlink();
    }

    private static long cached() throws Exception {
        try (Stream<Path> entries = Files.list(cache)) {
            return entries.filter(p -> !p.getFileName().toString().startsWith("."))
                    .count();
        }
    }

    @Test
    void aBundleOnS3IsDownloadedOnceCheckedAndPredictsAsTheLocalOne() throws Exception {
        S3Server.upload(Fixtures.bundleDir("bert-seq-cls"), "s3://models/single/sentiment");
        List<?> local;
        try (ModelSession session = ModelSession.open(
                ModelSettings.of(Fixtures.bundleDir("bert-seq-cls").toString()), 1)) {
            local = session.predict(TEXTS).results();
        }
        long before = cached();
        try (ModelSession session = ModelSession.open(ModelSettings.of("s3://models/single/sentiment"), 1)) {
            assertThat(session.predict(TEXTS).results()).isEqualTo(local);
        }
        assertThat(cached() - before).as("one download in the cache").isEqualTo(1);

        // The cache serves the next open: the remote model file is not read again.
        S3Server.delete("s3://models/single/sentiment/model.pt");
        try (ModelSession session = ModelSession.open(ModelSettings.of("s3://models/single/sentiment"), 1)) {
            assertThat(session.predict(TEXTS).results()).isEqualTo(local);
        }
        assertThat(cached() - before).isEqualTo(1);
    }

    @Test
    void aRepositoryOnS3SkipsIncompleteVersionsAndSwapsInWholeOnes() throws Exception {
        String repo = "s3://models/repo/sentiment";
        S3Server.upload(Fixtures.bundleDir("bert-seq-cls"), repo + "/1");
        assertThat(BundleStore.of(repo).isRepository()).isTrue();
        ModelSettings settings = ModelSettings.of(repo).withReload(new ModelSettings.Reload(Duration.ofHours(1), true));
        try (ModelSession session = ModelSession.open(settings, 1)) {
            assertThat(session.modelVersion()).isEqualTo("1");

            S3Server.upload(Fixtures.bundleDir("bert-seq-cls"), repo + "/2", "bundle.json");
            // (A bundle not in the cache: a cached one is served from the cache, whatever the remote copy holds.)
            Path corrupt = BundleCopies.copy("roberta-token-cls", tmp.resolve("corrupt"));
            BundleCopies.corruptModel(corrupt);
            S3Server.upload(corrupt, repo + "/3");
            assertThat(session.reloadNow()).isFalse();
            assertThat(session.reloadFailures()).isEqualTo(2);

            S3Server.upload(Fixtures.bundleDir("bert-seq-cls"), repo + "/2");
            assertThat(session.reloadNow()).isTrue();
            assertThat(session.predictBatch(TEXTS).modelVersion()).isEqualTo("2");
        }
    }

    @Test
    void aCorruptBundleOnS3FailsNamingTheRemoteFile() throws Exception {
        Path corrupt = BundleCopies.copy("bert-pair-cls", tmp.resolve("corrupt"));
        BundleCopies.corruptModel(corrupt);
        S3Server.upload(corrupt, "s3://models/corrupt/sentiment");
        assertThatThrownBy(() -> ModelSession.open(ModelSettings.of("s3://models/corrupt/sentiment"), 1))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("s3://models/corrupt/sentiment/model.pt")
                .hasMessageContaining("does not match its sha256");
    }

    @Test
    @Order(Integer.MAX_VALUE) // stops the server
    void anUnreachableStoreLeavesTheVersionServing() throws Exception {
        String repo = "s3://models/outage/sentiment";
        S3Server.upload(Fixtures.bundleDir("bert-seq-cls"), repo + "/1");
        ModelSettings settings = ModelSettings.of(repo).withReload(new ModelSettings.Reload(Duration.ofHours(1), true));
        try (ModelSession session = ModelSession.open(settings, 1)) {
            s3.close();
            assertThat(session.reloadNow()).isFalse();
            assertThat(session.reloadNow()).isFalse();
            assertThat(session.reloadFailures()).as("once per outage").isEqualTo(1);
            assertThat(session.predictBatch(TEXTS).modelVersion()).isEqualTo("1");
        }
    }
}
