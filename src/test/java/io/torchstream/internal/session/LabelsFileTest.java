package io.torchstream.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.internal.task.LabelSpec;
import io.torchstream.jobs.CommandLine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Labels files read as the DataStream job reads them. */
class LabelsFileTest {

    @TempDir
    Path tmp;

    @Test
    void readsTheNewsTopicsAsTheDataStreamJobDoes() {
        List<LabelSpec> labels = LabelsFile.read(Path.of("jobs/labels/news-topics.yaml"));
        assertThat(labels)
                .isEqualTo(
                        CommandLine.parse(new String[] {"jobs/classify.yaml"}).config().labels);
        assertThat(labels).hasSize(4);
        assertThat(labels.get(1).examples()).isNotEmpty();
    }

    @Test
    void namesTheFileAndTheEntryAtFault() throws Exception {
        Path noList = Files.writeString(tmp.resolve("a.yaml"), "topics: []\n");
        assertThatThrownBy(() -> LabelsFile.read(noList))
                .hasMessage(noList + ": expected a top-level 'labels' list of {name, description, examples}");
        Path unknown =
                Files.writeString(tmp.resolve("b.yaml"), "labels:\n  - {name: a, description: b, colour: red}\n");
        assertThatThrownBy(() -> LabelsFile.read(unknown))
                .hasMessage(unknown + ": labels[0]: unknown field 'colour'; expected name, description, examples");
        Path badExamples =
                Files.writeString(tmp.resolve("c.yaml"), "labels:\n  - {name: a, description: b, examples: x}\n");
        assertThatThrownBy(() -> LabelsFile.read(badExamples))
                .hasMessage(badExamples + ": labels[0]: examples must be a list of texts");
        Path notYaml = Files.writeString(tmp.resolve("d.yaml"), "labels: [\n");
        assertThatThrownBy(() -> LabelsFile.read(notYaml)).hasMessageStartingWith(notYaml + ": cannot be read as YAML");
    }
}
