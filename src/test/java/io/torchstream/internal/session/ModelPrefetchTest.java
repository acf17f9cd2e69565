package io.torchstream.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.internal.bundle.BundleException;
import io.torchstream.internal.task.Classification;
import io.torchstream.internal.text.TextInput;
import io.torchstream.testing.BundleCopies;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A model load started ahead of the session (as a Flink task starts it while its sinks start): it runs on a
 * thread of its own, the session takes it over without loading again, a broken bundle fails the open with the
 * same message as a load in open would, and a load never taken is released.
 */
class ModelPrefetchTest {

    private static final List<TextInput> TEXTS =
            List.of(TextInput.of("loaded while the sinks start"), TextInput.of("and served by the session"));

    @TempDir
    Path tmp;

    // Models are keyed by their files' sha256: one another test class kept alive would be reused here.
    @BeforeEach
    @AfterEach
    void reset() {
        SharedModels.keepAlive(30_000);
        SharedModels.closeUnused();
    }

    @Test
    void theSessionTakesOverTheModelLoadedAheadOfIt() throws Exception {
        ModelSettings settings = ModelSettings.of(
                BundleCopies.copy("bert-seq-cls", tmp.resolve("b")).toString());
        long before = SharedModels.loads();
        ModelSession.Prefetch prefetch = ModelSession.prefetch(settings, 1);
        assertThat(prefetch).isNotNull();
        awaitDone(prefetch);
        assertThat(SharedModels.loads() - before)
                .as("loaded on the prefetch's thread, before any open")
                .isEqualTo(1);
        List<String> labels;
        try (ModelSession session = ModelSession.open(settings, 1, 0, prefetch)) {
            assertThat(SharedModels.loaded()).isEqualTo(1);
            labels = labelsOf(session);
        }
        assertThat(SharedModels.loads() - before)
                .as("the session loaded nothing more")
                .isEqualTo(1);
        assertThat(SharedModels.loaded()).as("the session released it").isZero();
        SharedModels.closeUnused();
        try (ModelSession plain = ModelSession.open(settings, 1)) {
            assertThat(labelsOf(plain)).isEqualTo(labels);
        }
    }

    @Test
    void aBrokenBundleFailsTheOpenWithTheMessageALoadInOpenGives() throws Exception {
        Path bundle = BundleCopies.copy("bert-seq-cls", tmp.resolve("b"));
        Files.write(bundle.resolve("model.pt"), new byte[] {1, 2, 3});
        ModelSettings settings = ModelSettings.of(bundle.toString());
        String inOpen = null;
        try (ModelSession session = ModelSession.open(settings, 1)) {
            throw new AssertionError("a broken bundle opened: " + session.modelName());
        } catch (BundleException e) {
            inOpen = e.getMessage();
        }
        assertThat(inOpen).contains("model.pt");
        ModelSession.Prefetch prefetch = ModelSession.prefetch(settings, 1);
        assertThatThrownBy(() -> ModelSession.open(settings, 1, 0, prefetch))
                .isInstanceOf(BundleException.class)
                .hasMessage(inOpen);
        assertThat(SharedModels.loaded()).isZero();
    }

    @Test
    void aLoadNeverTakenIsReleasedByClose() throws Exception {
        ModelSettings settings = ModelSettings.of(
                BundleCopies.copy("bert-seq-cls", tmp.resolve("b")).toString());
        ModelSession.Prefetch early = ModelSession.prefetch(settings, 1);
        early.close();
        awaitDone(early);
        awaitReleased();
        ModelSession.Prefetch late = ModelSession.prefetch(settings, 1);
        awaitDone(late);
        assertThat(SharedModels.loaded()).isEqualTo(1);
        late.close();
        assertThat(SharedModels.loaded()).isZero();
        assertThatThrownBy(() -> ModelSession.open(settings, 1, 0, late))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("taken or closed already");
    }

    @Test
    void aRepositoryIsNotLoadedAheadItsVersionComesFromTheCheckpoint() {
        Path repository = tmp.resolve("repo");
        BundleCopies.publish("bert-seq-cls", repository, 1);
        assertThat(ModelSession.prefetch(ModelSettings.of(repository.toString()), 1))
                .isNull();
        assertThat(ModelSession.prefetch(ModelSettings.of("s3://models/bert-seq-cls"), 1))
                .isNull();
    }

    private static List<String> labelsOf(ModelSession session) {
        return session.predict(TEXTS).results().stream()
                .map(p -> ((Classification) p).label())
                .toList();
    }

    private static void awaitDone(ModelSession.Prefetch prefetch) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!prefetch.isDone()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the prefetch did not end in 60 s");
            }
            Thread.sleep(10);
        }
    }

    // A close before the load ended releases the model on the loading thread, once it is done.
    private static void awaitReleased() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (SharedModels.loaded() > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the prefetched model was not released");
            }
            Thread.sleep(10);
        }
    }
}
