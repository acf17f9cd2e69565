package io.torchstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.session.ModelOptions;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.junit.jupiter.api.Test;

/** What is checked when a job is built, before anything is submitted. */
class JobBuildTest {

    private static JobConfig demo(String... overrides) {
        String[] args = new String[overrides.length + 1];
        args[0] = "jobs/demo.yaml";
        System.arraycopy(overrides, 0, args, 1, overrides.length);
        return CommandLine.parse(args).config();
    }

    @Test
    void aBundleTracedShorterThanTheJobNeedsIsRefused() {
        assertThatThrownBy(() -> TorchstreamJob.build(
                        StreamExecutionEnvironment.getExecutionEnvironment(), demo("--set", "model.max-length=512")))
                .isInstanceOf(JobSpecException.class)
                .hasMessageContaining("model.max-length is 512 tokens")
                .hasMessageContaining("bundle.json was traced at 128")
                .hasMessageContaining("Re-export the bundle with --seq-len 512");
        TorchstreamJob.build(
                StreamExecutionEnvironment.getExecutionEnvironment(), demo("--set", "model.max-length=128"));
    }

    @Test
    void microBatchesSpanSeveralForwardPassesWhenEventsCanBeGroupedByLength() {
        var manifest = ModelBundle.open(demo().bundle).manifest();
        assertThat(ModelOptions.defaultBatchSize(manifest, demo().shapes))
                .as("8 x 4 lengths")
                .isEqualTo(32);
        assertThat(ModelOptions.defaultBatchSize(manifest, demo("--set", "model.shapes=traced").shapes))
                .isEqualTo(8);
    }
}
