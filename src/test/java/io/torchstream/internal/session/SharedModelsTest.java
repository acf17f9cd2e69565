package io.torchstream.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchstream.internal.task.ShapePolicy;
import io.torchstream.internal.task.TextModel;
import io.torchstream.testing.BundleCopies;
import io.torchstream.testing.Fixtures;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The TaskManager's shared models: a model whose last user left stays loaded for the keep-alive, so that
 * tasks restarted by a failover find it warm; after it, or for a bundle whose model changed, it loads again.
 */
class SharedModelsTest {

    @TempDir
    Path tmp;

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
        TextModel first;
        try (SharedModels.Lease lease = SharedModels.share(bundle, 1, ShapePolicy.VERIFIED)) {
            first = lease.model();
        }
        assertThat(SharedModels.loaded()).as("no user holds it").isZero();
        try (SharedModels.Lease again = SharedModels.share(bundle, 1, ShapePolicy.VERIFIED)) {
            assertThat(again.model())
                    .as("the restarted task gets the same warm model")
                    .isSameAs(first);
        }
        assertThat(SharedModels.loads() - before).isEqualTo(1);
        SharedModels.closeUnused();
        try (SharedModels.Lease afterClose = SharedModels.share(bundle, 1, ShapePolicy.VERIFIED)) {
            assertThat(afterClose.model()).isNotSameAs(first);
        }
        assertThat(SharedModels.loads() - before).isEqualTo(2);
    }

    @Test
    void anUnusedModelIsClosedWhenTheKeepAliveEnds() throws Exception {
        Path bundle = BundleCopies.copy("bert-seq-cls", tmp.resolve("b"));
        SharedModels.keepAlive(200);
        TextModel first;
        try (SharedModels.Lease lease = SharedModels.share(bundle, 1, ShapePolicy.VERIFIED)) {
            first = lease.model();
        }
        Thread.sleep(1_000);
        try (SharedModels.Lease again = SharedModels.share(bundle, 1, ShapePolicy.VERIFIED)) {
            assertThat(again.model()).as("loaded afresh after the keep-alive").isNotSameAs(first);
        }
    }

    @Test
    void aBundleWhoseModelChangedAtTheSamePathIsLoadedAfresh() throws Exception {
        Path bundle = BundleCopies.copy("bert-seq-cls", tmp.resolve("b"));
        SharedModels.keepAlive(60_000);
        TextModel first;
        try (SharedModels.Lease lease = SharedModels.share(bundle, 1, ShapePolicy.VERIFIED)) {
            first = lease.model();
        }
        // A new export written over the old one: another model file, so another sha256 in bundle.json.
        try (var files = java.nio.file.Files.list(bundle)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                java.nio.file.Files.delete(file);
            }
        }
        BundleCopies.copy("distilbert-seq-cls", bundle);
        try (SharedModels.Lease next = SharedModels.share(bundle, 1, ShapePolicy.VERIFIED)) {
            assertThat(next.model()).isNotSameAs(first);
            assertThat(next.model().manifest().name()).isEqualTo("distilbert-seq-cls");
        }
        assertThat(Fixtures.bundle("bert-seq-cls").manifest().name()).isEqualTo("bert-seq-cls");
    }
}
