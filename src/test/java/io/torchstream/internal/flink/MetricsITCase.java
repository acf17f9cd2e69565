package io.torchstream.internal.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchstream.internal.session.SharedModels;
import io.torchstream.jobs.CommandLine;
import io.torchstream.jobs.JobSummary;
import io.torchstream.jobs.TorchstreamJob;
import io.torchstream.testing.BundleCopies;
import io.torchstream.testing.Fixtures;
import io.torchstream.testing.JobFiles;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The job's metrics, read through a metric reporter as any monitoring system would read them. */
class MetricsITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @TempDir
    Path tmp;

    @Test
    void countsBatchesPaddingLatencyAndLoadTimeUnderOneGroup() throws Exception {
        // The load time is this job's: not a few milliseconds for a model an earlier test left loaded.
        SharedModels.closeUnused();
        List<byte[]> lines = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            lines.add(JobFiles.json(Map.of("id", "m" + i, "text", "metric event number " + i)));
        }
        lines.add("{bad".getBytes(StandardCharsets.UTF_8));
        JobFiles.writeLines(tmp.resolve("in.jsonl"), lines);
        Path job = JobFiles.write(tmp.resolve("job.yaml"), """
                model:
                  bundle: %s
                input: {type: file, path: in.jsonl}
                output: {type: file, path: out.jsonl}
                dead-letters: {type: file, path: dl.jsonl}
                """.formatted(
                        Fixtures.bundleDir("bert-seq-cls").toAbsolutePath()));
        JobSummary summary = TorchstreamJob.execute(
                CommandLine.parse(new String[] {job.toString()}).config());
        assertThat(summary.balanced()).isTrue();

        Map<String, Long> counts = new HashMap<>();
        List<Metric> all = new ArrayList<>();
        for (Map.Entry<MetricGroup, Map<String, Metric>> group :
                REPORTER.getMetricsByGroup().entrySet()) {
            String id = group.getKey().getMetricIdentifier("x");
            // The reporter keeps every test's metrics: the other test's job is named metrics-reload.
            if (!id.contains("." + TorchstreamMetrics.GROUP + ".") || id.contains("metrics-reload")) {
                continue;
            }
            group.getValue().forEach((name, metric) -> {
                all.add(metric);
                if (metric instanceof Counter c) {
                    counts.merge(name, c.getCount(), Long::sum);
                } else if (metric instanceof Histogram h) {
                    counts.merge(name, h.getCount(), Long::sum);
                } else if (name.equals(TorchstreamMetrics.PADDING_RATIO)) {
                    double ratio = ((Number) ((Gauge<?>) metric).getValue()).doubleValue();
                    assertThat(ratio).isBetween(0.0, 1.0);
                    counts.merge(name, 1L, Long::sum);
                } else if (name.equals(TorchstreamMetrics.MODEL_LOAD_TIME)) {
                    assertThat(((Number) ((Gauge<?>) metric).getValue()).longValue())
                            .isPositive();
                    counts.merge(name, 1L, Long::sum);
                }
            });
        }
        assertThat(counts.get(TorchstreamMetrics.EVENTS_IN)).isEqualTo(51);
        assertThat(counts.get(TorchstreamMetrics.DEAD_LETTERS)).isEqualTo(1);
        assertThat(counts.get(TorchstreamMetrics.EVENTS_OUT)).isEqualTo(50);
        assertThat(counts.get(TorchstreamMetrics.BATCHES))
                .isPositive()
                .isEqualTo(counts.get(TorchstreamMetrics.BATCH_SIZE));
        assertThat(counts.get(TorchstreamMetrics.INFERENCE_LATENCY)).isEqualTo(counts.get(TorchstreamMetrics.BATCHES));
        assertThat(counts.get(TorchstreamMetrics.TOKENS_COMPUTED)).isPositive();
        assertThat(counts).containsKeys(TorchstreamMetrics.PADDING_RATIO, TorchstreamMetrics.MODEL_LOAD_TIME);
    }

    @Test
    void reportTheRepositoryVersionServingAndItsReloads() throws Exception {
        Path repo = tmp.resolve("repo");
        BundleCopies.publish("bert-seq-cls", repo, 1);
        BundleCopies.publish("bert-seq-cls", repo, 2);
        List<byte[]> lines = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            lines.add(JobFiles.json(Map.of("id", "v" + i, "text", "versioned event " + i)));
        }
        JobFiles.writeLines(tmp.resolve("in.jsonl"), lines);
        Path job = JobFiles.write(tmp.resolve("reload.yaml"), """
                name: metrics-reload
                model:
                  bundle: %s
                  reload: {interval: 1h}
                input: {type: file, path: in.jsonl}
                output: {type: file, path: out.jsonl}
                dead-letters: {type: file, path: dl.jsonl}
                """.formatted(repo.toAbsolutePath()));
        JobSummary summary = TorchstreamJob.execute(
                CommandLine.parse(new String[] {job.toString()}).config());
        assertThat(summary.balanced()).isTrue();
        assertThat(Files.readAllLines(tmp.resolve("out.jsonl"))).allMatch(l -> l.contains("\"model_version\":\"2\""));

        Map<String, List<Long>> gauges = new HashMap<>();
        for (Map.Entry<MetricGroup, Map<String, Metric>> group :
                REPORTER.getMetricsByGroup().entrySet()) {
            String id = group.getKey().getMetricIdentifier("x");
            if (!id.contains("metrics-reload") || !id.contains("." + TorchstreamMetrics.GROUP + ".")) {
                continue;
            }
            group.getValue().forEach((name, metric) -> {
                if (metric instanceof Gauge<?> g && g.getValue() instanceof Long value) {
                    gauges.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                }
            });
        }
        assertThat(gauges.get(TorchstreamMetrics.MODEL_VERSION)).isNotEmpty().containsOnly(2L);
        assertThat(gauges.get(TorchstreamMetrics.RELOADS)).isNotEmpty().containsOnly(0L);
        assertThat(gauges.get(TorchstreamMetrics.RELOAD_FAILURES)).isNotEmpty().containsOnly(0L);
        assertThat(gauges.get(TorchstreamMetrics.RELOAD_MILLIS)).isNotEmpty().containsOnly(0L);
    }
}
