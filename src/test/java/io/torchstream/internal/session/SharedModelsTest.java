package io.torchstream.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchstream.internal.task.Predictions;
import io.torchstream.internal.task.ShapePolicy;
import io.torchstream.internal.text.TextInput;
import io.torchstream.testing.BundleCopies;
import io.torchstream.testing.Fixtures;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

/**
 * The TaskManager's shared models: a model whose last user left stays loaded for the keep-alive, so that
 * tasks restarted by a failover find it warm; after it, or for a bundle whose model changed, it loads again;
 * the same files at another path are the same model.
 */
class SharedModelsTest {

    private static final List<TextInput> TEXTS =
            List.of(TextInput.of("a restarted task"), TextInput.of("finds its model loaded and warm"));

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
    void aModelReleasedByEveryUserIsReusedWithinTheKeepAlive() {
        Path bundle = BundleCopies.copy("bert-seq-cls", tmp.resolve("b"));
        SharedModels.keepAlive(60_000);
        long before = SharedModels.loads();
        Predictions first;
        try (SharedModels.Lease lease = SharedModels.share(bundle, 1, ShapePolicy.VERIFIED)) {
            first = lease.model().predict(TEXTS);
        }
        assertThat(SharedModels.loaded()).as("no user holds it").isZero();
        try (SharedModels.Lease again = SharedModels.share(bundle, 1, ShapePolicy.VERIFIED)) {
            assertThat(SharedModels.loads() - before)
                    .as("the restarted task gets the loaded, warm model")
                    .isEqualTo(1);
            assertSamePredictions(again.model().predict(TEXTS), first);
        }
        SharedModels.closeUnused();
        try (SharedModels.Lease afterClose = SharedModels.share(bundle, 1, ShapePolicy.VERIFIED)) {
            assertSamePredictions(afterClose.model().predict(TEXTS), first);
        }
        assertThat(SharedModels.loads() - before).isEqualTo(2);
    }

    @Test
    void anUnusedModelIsClosedWhenTheKeepAliveEnds() throws Exception {
        Path bundle = BundleCopies.copy("bert-seq-cls", tmp.resolve("b"));
        SharedModels.keepAlive(200);
        long before = SharedModels.loads();
        try (SharedModels.Lease lease = SharedModels.share(bundle, 1, ShapePolicy.VERIFIED)) {
            assertThat(lease.shared()).isTrue();
        }
        Thread.sleep(1_000);
        try (SharedModels.Lease again = SharedModels.share(bundle, 1, ShapePolicy.VERIFIED)) {
            assertThat(SharedModels.loads() - before)
                    .as("loaded afresh after the keep-alive")
                    .isEqualTo(2);
        }
    }

    @Test
    void usersOfTheSameFilesAtAnotherPathShareTheLoadedModel() {
        Path one = BundleCopies.copy("bert-seq-cls", tmp.resolve("one"));
        Path two = BundleCopies.copy("bert-seq-cls", tmp.resolve("two"));
        long before = SharedModels.loads();
        try (SharedModels.Lease a = SharedModels.share(one, 1, ShapePolicy.VERIFIED);
                SharedModels.Lease b = SharedModels.share(two, 1, ShapePolicy.VERIFIED)) {
            assertThat(b.model().bundle().directory())
                    .isEqualTo(two.toAbsolutePath().normalize());
            assertThat(SharedModels.loads() - before)
                    .as("keyed by the files' sha256")
                    .isEqualTo(1);
            assertSamePredictions(b.model().predict(TEXTS), a.model().predict(TEXTS));
        }
    }

    @Test
    void aBundleReplacedAtThePathOfAModelInUseIsLoadedAfreshForNewUsers() {
        Path bundle = BundleCopies.copy("bert-seq-cls", tmp.resolve("b"));
        try (SharedModels.Lease running = SharedModels.share(bundle, 1, ShapePolicy.VERIFIED)) {
            BundleCopies.delete(bundle);
            BundleCopies.copy("distilbert-seq-cls", bundle);
            try (SharedModels.Lease next = SharedModels.share(bundle, 1, ShapePolicy.VERIFIED)) {
                assertThat(next.model().manifest().name()).isEqualTo("distilbert-seq-cls");
                assertThat(running.model().manifest().name()).isEqualTo("bert-seq-cls");
            }
        }
    }

    private static void assertSamePredictions(Predictions actual, Predictions expected) {
        assertThat(actual.results()).hasSameSizeAs(expected.results());
        for (int i = 0; i < actual.results().size(); i++) {
            assertThat(actual.results().get(i))
                    .usingRecursiveComparison()
                    .isEqualTo(expected.results().get(i));
        }
    }

    @Test
    void aBundleWhoseModelChangedAtTheSamePathIsLoadedAfresh() throws Exception {
        Path bundle = BundleCopies.copy("bert-seq-cls", tmp.resolve("b"));
        SharedModels.keepAlive(60_000);
        long before = SharedModels.loads();
        try (SharedModels.Lease lease = SharedModels.share(bundle, 1, ShapePolicy.VERIFIED)) {
            assertThat(lease.model().manifest().name()).isEqualTo("bert-seq-cls");
        }
        // A new export written over the old one: another model file, so another sha256 in bundle.json.
        try (var files = java.nio.file.Files.list(bundle)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                java.nio.file.Files.delete(file);
            }
        }
        BundleCopies.copy("distilbert-seq-cls", bundle);
        try (SharedModels.Lease next = SharedModels.share(bundle, 1, ShapePolicy.VERIFIED)) {
            assertThat(next.model().manifest().name()).isEqualTo("distilbert-seq-cls");
            assertThat(SharedModels.loads() - before).isEqualTo(2);
        }
        assertThat(Fixtures.bundle("bert-seq-cls").manifest().name()).isEqualTo("bert-seq-cls");
    }
}
