package io.torchstream.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchstream.bench.Soak;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The short soak: the default job on a real TaskManager at half its measured maximum rate, for a few
 * minutes; the TaskManager's memory must stay flat. bin/torchstream soak runs the long one.
 */
class SoakClusterIT {

    @Test
    void taskManagerMemoryStaysFlat() throws Exception {
        Duration duration = Duration.ofSeconds(Long.getLong("torchstream.soak.seconds", 180));
        Soak.Result result =
                Soak.run(Path.of(""), ClusterTests.workDir("soak"), Path.of("jobs/demo.yaml"), duration, 0);
        System.out.print(result.report());
        assertThat(result.samples()).hasSizeGreaterThan(50);
        assertThat(result.rssGrowth()).as(result.report()).isLessThan(0.05);
        assertThat(result.threadsMax() - result.threadsMin())
                .as("threads come and go, but do not pile up")
                .isLessThan(20);
    }
}
