package io.torchstream.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.internal.bundle.BundleException;
import io.torchstream.testing.BundleCopies;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Which version of a repository is served: the highest whole one, and broken ones skipped until they change. */
class ModelRepositoryTest {

    @TempDir
    Path tmp;

    @Test
    void aFolderOfNumberedBundlesIsARepositoryAndABundleIsNot() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("topics"));
        assertThat(ModelRepository.isRepository(repo)).as("empty").isFalse();
        BundleCopies.publish("bert-seq-cls", repo, 1);
        assertThat(ModelRepository.isRepository(repo)).isTrue();
        assertThat(ModelRepository.isRepository(repo.resolve("1")))
                .as("a bundle")
                .isFalse();
        Files.createDirectories(tmp.resolve("other/latest"));
        assertThat(ModelRepository.isRepository(tmp.resolve("other")))
                .as("no numbered folder")
                .isFalse();
    }

    @Test
    void theHighestWholeVersionServesAndBrokenOnesAreSkipped() {
        Path repo = tmp.resolve("topics");
        BundleCopies.publish("bert-seq-cls", repo, 1);
        BundleCopies.publish("bert-seq-cls", repo, 2);
        BundleCopies.halfCopy("bert-seq-cls", repo, 3);
        BundleCopies.corruptModel(BundleCopies.copy("bert-seq-cls", repo.resolve("4")));
        ModelRepository repository = new ModelRepository(repo);

        ModelRepository.Version start = repository.start(0);

        assertThat(start.number()).isEqualTo(2);
        assertThat(start.bundle().directory()).isEqualTo(repo.resolve("2").toAbsolutePath());
        assertThat(repository.newlySkipped())
                .extracting(ModelRepository.Skipped::version)
                .containsExactly(4L, 3L);
        assertThat(repository.skipped(3).orElseThrow().reason())
                .contains("bundle.json")
                .contains("is missing");
        assertThat(repository.skipped(4).orElseThrow().reason()).contains("does not match its sha256");
        assertThat(repository.lastListing()).containsExactly(4L, 3L, 2L, 1L);
    }

    @Test
    void aSkippedVersionIsCheckedAgainOnlyOnceItsFilesChange() {
        Path repo = tmp.resolve("topics");
        BundleCopies.publish("bert-seq-cls", repo, 1);
        BundleCopies.halfCopy("bert-seq-cls", repo, 2);
        ModelRepository repository = new ModelRepository(repo);
        assertThat(repository.start(0).number()).isEqualTo(1);
        assertThat(repository.newlySkipped()).hasSize(1);

        assertThat(repository.newestAbove(1)).isEmpty();
        assertThat(repository.newlySkipped())
                .as("unchanged: not checked, not reported again")
                .isEmpty();

        // The copy finishes.
        BundleCopies.delete(repo.resolve("2"));
        BundleCopies.copy("bert-seq-cls", repo.resolve("2"));
        assertThat(repository.newestAbove(1))
                .get()
                .extracting(ModelRepository.Version::number)
                .isEqualTo(2L);
        assertThat(repository.skipped(2)).isEmpty();
    }

    @Test
    void theCheckpointsVersionIsPreferredWhenItIsWhole() {
        Path repo = tmp.resolve("topics");
        BundleCopies.publish("bert-seq-cls", repo, 1);
        BundleCopies.publish("bert-seq-cls", repo, 2);
        ModelRepository repository = new ModelRepository(repo);
        assertThat(repository.start(1).number()).isEqualTo(1);
        assertThat(repository.start(7).number()).as("gone: the highest").isEqualTo(2);
    }

    @Test
    void aRepositoryWithNoWholeVersionFailsNamingTheFolder() {
        Path repo = tmp.resolve("topics");
        BundleCopies.halfCopy("bert-seq-cls", repo, 1);
        assertThatThrownBy(() -> new ModelRepository(repo).start(0))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining(repo.toAbsolutePath().toString())
                .hasMessageContaining("holds no whole model version")
                .hasMessageContaining("1: ");
    }

    @Test
    void aDeletedRepositoryCannotBeListed() throws Exception {
        Path repo = tmp.resolve("topics");
        BundleCopies.publish("bert-seq-cls", repo, 1);
        ModelRepository repository = new ModelRepository(repo);
        repository.start(0);
        BundleCopies.delete(repo);
        assertThatThrownBy(() -> repository.newestAbove(1))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("cannot be listed");
    }
}
