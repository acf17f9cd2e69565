package io.torchstream.internal.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.testing.BundleCopies;
import io.torchstream.testing.Fixtures;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A bad bundle fails at load with a message that names the file and the fix. */
class ModelBundleTest {

    @TempDir
    Path tmp;

    @Test
    void readsWhatTheExporterWrote() {
        BundleManifest m = Fixtures.bundle("bert-pair-cls").manifest();
        assertThat(m.task()).isEqualTo(Task.SEQUENCE_CLASSIFICATION);
        assertThat(m.inputs()).containsExactly("input_ids", "attention_mask", "token_type_ids");
        assertThat(m.traceShape()).isEqualTo(new TraceShape(4, 24));
        assertThat(m.shapes()).containsExactly(new TraceShape(4, 24));
        assertThat(m.labels()).containsExactly("contradiction", "entailment");
        assertThat(m.scoreFunction()).isEqualTo(ScoreFunction.SOFTMAX);
        assertThat(m.textPair()).isTrue();
        assertThat(m.maxLength()).isEqualTo(24);
        assertThat(m.versions()).containsEntry("torch", "2.7.1");
        assertThat(m.verifiedMaxAbsDiff()).isLessThanOrEqualTo(1e-4);

        BundleManifest roberta = Fixtures.bundle("roberta-seq-cls-multilabel").manifest();
        assertThat(roberta.padTokenId()).isEqualTo(1);
        assertThat(roberta.scoreFunction()).isEqualTo(ScoreFunction.SIGMOID);
        assertThat(Fixtures.bundle("bert-embedding").manifest().pooling())
                .isEqualTo(new Pooling(Pooling.Mode.MEAN, true));
    }

    @Test
    void alteredModelFileIsRefusedBySha256() throws IOException {
        Path bundle = BundleCopies.copy("bert-seq-cls", tmp.resolve("b"));
        byte[] bytes = Files.readAllBytes(bundle.resolve("model.pt"));
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(bundle.resolve("model.pt"), bytes);
        assertThatThrownBy(() -> ModelBundle.open(bundle))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("model.pt")
                .hasMessageContaining("does not match its sha256")
                .hasMessageContaining("re-export");
    }

    @Test
    void truncatedFileIsRefusedBySize() throws IOException {
        Path bundle = BundleCopies.copy("bert-seq-cls", tmp.resolve("b"));
        Files.write(bundle.resolve("tokenizer.json"), new byte[] {'{'}, StandardOpenOption.TRUNCATE_EXISTING);
        assertThatThrownBy(() -> ModelBundle.open(bundle))
                .hasMessageContaining("tokenizer.json")
                .hasMessageContaining("truncated or was replaced");
    }

    @Test
    void missingTokenizerIsNamed() throws IOException {
        Path bundle = BundleCopies.copy("bert-seq-cls", tmp.resolve("b"));
        Files.delete(bundle.resolve("tokenizer.json"));
        assertThatThrownBy(() -> ModelBundle.open(bundle))
                .isInstanceOf(BundleException.class)
                .satisfies(e -> assertThat(((BundleException) e).file())
                        .isEqualTo(bundle.toAbsolutePath().resolve("tokenizer.json")))
                .hasMessageContaining("is missing from the bundle");
    }

    @Test
    void folderWithoutManifestIsNotABundle() throws IOException {
        Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> ModelBundle.open(tmp.resolve("empty")))
                .hasMessageContaining("bundle.json: is missing")
                .hasMessageContaining("bin/torchstream export");
        assertThatThrownBy(() -> ModelBundle.open(tmp.resolve("nowhere"))).hasMessageContaining("is not a folder");
    }

    @Test
    void unknownFormatVersionAndTaskAreRefused() {
        Path v2 = BundleCopies.copy("bert-seq-cls", tmp.resolve("v2"));
        BundleCopies.editManifest(v2, m -> m.put("format_version", 2));
        assertThatThrownBy(() -> ModelBundle.open(v2))
                .hasMessageContaining("bundle.json")
                .hasMessageContaining("format_version is 2 but this torchstream reads 1");

        Path task = BundleCopies.copy("bert-seq-cls", tmp.resolve("task"));
        BundleCopies.editManifest(task, m -> m.put("task", "summarization"));
        assertThatThrownBy(() -> ModelBundle.open(task))
                .hasMessageContaining("unknown task 'summarization'")
                .hasMessageContaining("sequence-classification, token-classification, embedding");

        Path notOurs = BundleCopies.copy("bert-seq-cls", tmp.resolve("other"));
        BundleCopies.editManifest(notOurs, m -> m.put("format", "onnx"));
        assertThatThrownBy(() -> ModelBundle.open(notOurs)).hasMessageContaining("not a torchstream bundle");
    }

    @Test
    void inconsistentManifestsAreRefused() {
        Path labels = BundleCopies.copy("bert-seq-cls", tmp.resolve("labels"));
        BundleCopies.editManifest(labels, m -> m.withArray("labels").add("extra"));
        assertThatThrownBy(() -> ModelBundle.open(labels))
                .hasMessageContaining("names 4 labels but the model outputs 3 scores");

        Path shapes = BundleCopies.copy("bert-seq-cls", tmp.resolve("shapes"));
        BundleCopies.editManifest(shapes, m -> m.withObject("/trace").put("seq_len", 512));
        assertThatThrownBy(() -> ModelBundle.open(shapes))
                .hasMessageContaining("do not include the traced shape 4x512");

        Path inputs = BundleCopies.copy("bert-seq-cls", tmp.resolve("inputs"));
        BundleCopies.editManifest(
                inputs, m -> m.putArray("inputs").add("attention_mask").add("input_ids"));
        assertThatThrownBy(() -> ModelBundle.open(inputs)).hasMessageContaining("expected input_ids first");

        Path broken = BundleCopies.copy("bert-seq-cls", tmp.resolve("broken"));
        BundleCopies.editManifest(broken, m -> m.remove("files"));
        assertThatThrownBy(() -> ModelBundle.open(broken)).hasMessageContaining("'files' is missing");
    }
}
