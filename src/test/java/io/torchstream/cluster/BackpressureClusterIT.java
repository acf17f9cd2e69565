package io.torchstream.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchstream.bench.LocalFlinkCluster;
import io.torchstream.testing.CommittedReader;
import io.torchstream.testing.JobFiles;
import io.torchstream.testing.KafkaBroker;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A burst of ten times the sustainable rate on a cluster of real processes: jobs/classify.yaml exactly-once
 * reads as fast as the model takes events (backpressure holds the rest in Kafka, not in the TaskManagers), its
 * memory stays near what it was under a steady load, and the lag drains. The sustainable rate is measured first
 * in the same run (2,000 events produced at once, divided by the time until they are all committed); then the
 * burst runs at 10x for {@code torchstream.burst.seconds} (5 in CI; 60 is the long form). Reports the rates, the
 * drain time and the TaskManagers' peak RSS in each phase; asserts that every id comes out once.
 */
class BackpressureClusterIT {

    private static final int SECONDS = Integer.getInteger("torchstream.burst.seconds", 5);

    @Test
    void aTenfoldBurstIsTakenAtTheModelsPaceAndDrainsLosingNothing() throws Exception {
        Path dir = ClusterTests.workDir("burst");
        List<String> texts = ExactlyOnceRun.headlines();
        try (KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"));
                LocalFlinkCluster cluster = LocalFlinkCluster.start(Path.of(""), dir.resolve("cluster"), 1, Map.of())) {
            kafka.createTopic("events", 4);
            kafka.createTopic("results", 2);
            kafka.createTopic("dead-letters", 1);
            List<LocalFlinkCluster.Node> taskManagers = List.of(cluster.startTaskManager(), cluster.startTaskManager());
            String job = ExactlyOnceRun.submit(cluster, kafka, "burst", List.of());

            AtomicLong peakKb = new AtomicLong();
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    long kb = taskManagers.stream()
                            .mapToLong(n -> n.status("VmRSS"))
                            .sum();
                    peakKb.accumulateAndGet(kb, Math::max);
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.setDaemon(true);
            sampler.start();

            Set<String> ids = new HashSet<>();
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<byte[], byte[]> producer =
                            new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
                    CommittedReader reader = new CommittedReader(kafka.bootstrapServers(), "results", "dead-letters")) {
                // Steady: what the job sustains, measured on events already waiting.
                int steadyEvents = 2_000;
                for (int i = 0; i < steadyEvents; i++) {
                    send(producer, ids, "s" + i, texts.get(i % texts.size()));
                }
                producer.flush();
                // From the first committed result to the last: the job's pace, without its first batch's latency.
                long[] first = {0};
                LocalFlinkCluster.waitFor(Duration.ofMinutes(10), "the steady events", () -> {
                    reader.poll();
                    if (first[0] == 0 && reader.distinct() > 0) {
                        first[0] = System.nanoTime();
                    }
                    return reader.distinct() >= steadyEvents;
                });
                double sustainable = steadyEvents / ((System.nanoTime() - first[0]) / 1e9);
                long steadyPeakKb = peakKb.getAndSet(0);

                // The burst: 10x that rate for SECONDS seconds, in slices of 100 ms.
                double burstRate = 10 * sustainable;
                int burstEvents = (int) (burstRate * SECONDS);
                long burstStart = System.nanoTime();
                for (int i = 0; i < burstEvents; i++) {
                    long due = burstStart + (long) (i / burstRate * 1e9);
                    long wait = due - System.nanoTime();
                    if (wait > 1_000_000) {
                        Thread.sleep(wait / 1_000_000);
                    }
                    send(producer, ids, "b" + i, texts.get(i % texts.size()));
                }
                producer.flush();
                long burstEnd = System.nanoTime();
                while (reader.poll() > 0) {
                    // what was committed while the burst was produced
                }
                int committedAtBurstEnd = reader.distinct();
                LocalFlinkCluster.waitFor(Duration.ofMinutes(20), "the lag to drain", () -> {
                    reader.poll();
                    return reader.distinct() >= ids.size();
                });
                double drainSeconds = (System.nanoTime() - burstEnd) / 1e9;
                for (long end = System.nanoTime() + Duration.ofSeconds(6).toNanos(); System.nanoTime() < end; ) {
                    reader.poll();
                }
                sampling.set(false);
                long burstPeakKb = peakKb.get();
                cluster.cancel(job);

                Map<String, Integer> counts = reader.counts();
                Set<String> missing = new HashSet<>(ids);
                missing.removeAll(counts.keySet());
                List<String> duplicated = new ArrayList<>();
                counts.forEach((id, n) -> {
                    if (n > 1) {
                        duplicated.add(id);
                    }
                });
                String report = String.format(
                        "sustainable %.0f events/s; burst %.0f events/s for %d s (%d events, produced in %.1f s), %d"
                                + " committed when it ended; drained %.1f s after it ended (%.0f events/s meanwhile);"
                                + " TaskManagers' peak RSS %d MB steady, %d MB in the burst and drain; %d ids,"
                                + " %d duplicated, %d missing%n",
                        sustainable,
                        burstRate,
                        SECONDS,
                        burstEvents,
                        (burstEnd - burstStart) / 1e9,
                        committedAtBurstEnd - steadyEvents,
                        drainSeconds,
                        (ids.size() - committedAtBurstEnd) / drainSeconds,
                        steadyPeakKb / 1024,
                        burstPeakKb / 1024,
                        counts.size(),
                        duplicated.size(),
                        missing.size());
                Files.writeString(dir.resolve("report.txt"), report);
                System.out.print("[burst] " + report);
                assertThat(duplicated).as("ids seen more than once").isEmpty();
                assertThat(missing).as("ids never seen").isEmpty();
            }
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, Set<String> ids, String id, String text) {
        ids.add(id);
        producer.send(new ProducerRecord<>(
                "events", id.getBytes(StandardCharsets.UTF_8), JobFiles.json(Map.of("id", id, "text", text))));
    }
}
