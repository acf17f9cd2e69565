package io.torchstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.torchstream.internal.flink.EvenRate;
import io.torchstream.internal.session.ModelSession;
import io.torchstream.internal.session.ModelSettings;
import io.torchstream.internal.task.Entities;
import io.torchstream.internal.task.Entity;
import io.torchstream.internal.text.TextInput;
import io.torchstream.testing.BundleCopies;
import io.torchstream.testing.Fixtures;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Hot reload in a running job on a MiniCluster at parallelism 2: versions published to the repository while
 * events stream through at a steady rate take over without a restart; a broken one is skipped; and a task
 * restarted by a failure resumes on the version its checkpoint recorded.
 */
class ReloadITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final List<String> TEXTS = Fixtures.inputs(Fixtures.reference("bert-token-cls")).stream()
            .map(TextInput::text)
            .filter(text -> !text.isBlank())
            .limit(6)
            .toList();

    /** Each fixture's entities of each text, alone. */
    private static final Map<String, List<List<Entity>>> ALONE = new HashMap<>();

    /** What the job emitted, in order per subtask. */
    static final List<Seen> SEEN = Collections.synchronizedList(new ArrayList<>());

    static final AtomicBoolean FAIL_NEXT = new AtomicBoolean();

    @TempDir
    Path tmp;

    /** An event of the test's stream. */
    public static class Msg {
        public long id;
        public String text;

        public Msg() {}

        Msg(long id, String text) {
            this.id = id;
            this.text = text;
        }
    }

    record Seen(int attempt, int subtask, long id, String version, List<EntitySpan> entities) {}

    @BeforeAll
    static void alone() {
        for (String fixture : List.of("bert-token-cls", "roberta-token-cls")) {
            try (ModelSession session = ModelSession.open(
                    ModelSettings.of(Fixtures.bundleDir(fixture).toString()), 1)) {
                List<List<Entity>> entities = new ArrayList<>();
                for (String text : TEXTS) {
                    entities.add(((Entities) session.predict(List.of(TextInput.of(text)))
                                    .results()
                                    .get(0))
                            .entities());
                }
                ALONE.put(fixture, entities);
            }
        }
    }

    @BeforeEach
    void reset() {
        SEEN.clear();
        FAIL_NEXT.set(false);
    }

    /** Records each result with its subtask and attempt; fails once when asked to. */
    static final class Record extends RichMapFunction<Tagged<Msg>, Tagged<Msg>> {
        @Override
        public Tagged<Msg> map(Tagged<Msg> tagged) {
            if (FAIL_NEXT.compareAndSet(true, false)) {
                throw new IllegalStateException("failure injected by the test");
            }
            SEEN.add(new Seen(
                    getRuntimeContext().getTaskInfo().getAttemptNumber(),
                    getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                    tagged.getValue().id,
                    tagged.getModelVersion(),
                    tagged.getEntities()));
            return tagged;
        }
    }

    private JobClient start(Path repo, long events, double perSecond, Duration poll, long checkpointMillis)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(checkpointMillis, CheckpointingMode.EXACTLY_ONCE);
        DataStream<Msg> messages = env.fromSource(
                new DataGeneratorSource<>(
                        n -> new Msg(n, TEXTS.get((int) (n % TEXTS.size()))),
                        events,
                        new EvenRate<>(perSecond),
                        TypeInformation.of(Msg.class)),
                WatermarkStrategy.noWatermarks(),
                "messages");
        Torchstream.tag(messages)
                .text(m -> m.text)
                .model(ModelSpec.bundle(repo.toString()).reloadEvery(poll))
                .batch(8, Duration.ofMillis(20))
                .uid("tag")
                .build()
                .map(new Record())
                .name("record")
                .sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>());
        return env.executeAsync("reload");
    }

    private static void await(String what, Predicate<List<Seen>> done, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (SEEN) {
                if (done.test(SEEN)) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("timed out waiting for " + what + "; seen " + SEEN.size() + " results");
    }

    private static Predicate<List<Seen>> versionSeen(String version) {
        return seen -> seen.stream().anyMatch(s -> s.version().equals(version));
    }

    private static void assertAsAlone(Seen seen, String fixture) {
        List<Entity> expected = ALONE.get(fixture).get((int) (seen.id() % TEXTS.size()));
        assertThat(seen.entities())
                .as("event %d on version %s", seen.id(), seen.version())
                .extracting(EntitySpan::getLabel, EntitySpan::getStart, EntitySpan::getEnd)
                .isEqualTo(expected.stream()
                        .map(e -> org.assertj.core.groups.Tuple.tuple(e.label(), e.start(), e.end()))
                        .toList());
        for (int k = 0; k < expected.size(); k++) {
            assertThat(seen.entities().get(k).getScore())
                    .isCloseTo(expected.get(k).score(), within(1e-4));
        }
    }

    @Test
    void versionsPublishedWhileTheStreamRunsTakeOverAndEveryEventComesOutOnce() throws Exception {
        Path repo = tmp.resolve("tagger");
        BundleCopies.publish("bert-token-cls", repo, 1);
        Map<String, String> fixtureOf = Map.of("1", "bert-token-cls", "3", "roberta-token-cls", "4", "bert-token-cls");
        long events = 2_400;
        JobClient job = start(repo, events, 200, Duration.ofMillis(200), 500);

        await("the first results", seen -> seen.size() >= 100, Duration.ofSeconds(60));
        BundleCopies.corruptModel(BundleCopies.copy("roberta-token-cls", repo.resolve("2")));
        Thread.sleep(600);
        BundleCopies.publish("roberta-token-cls", repo, 3);
        await("version 3", versionSeen("3"), Duration.ofSeconds(30));
        BundleCopies.publish("bert-token-cls", repo, 4);
        await("version 4", versionSeen("4"), Duration.ofSeconds(30));
        job.getJobExecutionResult().get();

        List<Seen> seen = List.copyOf(SEEN);
        assertThat(seen.stream().map(Seen::id).collect(Collectors.toSet()))
                .as("every event")
                .hasSize((int) events);
        assertThat(seen).as("each once").hasSize((int) events);
        assertThat(seen).extracting(Seen::version).doesNotContain("2").contains("1", "3", "4");
        Map<Integer, List<Seen>> bySubtask = seen.stream().collect(Collectors.groupingBy(Seen::subtask));
        for (List<Seen> subtask : bySubtask.values()) {
            long last = 0;
            for (Seen s : subtask) {
                long version = Long.parseLong(s.version());
                assertThat(version).as("versions only go up in a subtask").isGreaterThanOrEqualTo(last);
                last = version;
            }
        }
        for (Seen s : seen) {
            assertAsAlone(s, fixtureOf.get(s.version()));
        }
    }

    @Test
    void aTaskRestartedByAFailureResumesOnTheVersionItsCheckpointRecorded(@InjectClusterClient ClusterClient<?> client)
            throws Exception {
        Path repo = tmp.resolve("tagger");
        BundleCopies.publish("bert-token-cls", repo, 1);
        BundleCopies.publish("roberta-token-cls", repo, 2);
        // Checkpoints only when the test takes one; the poll slow enough that a restarted task's first batches
        // run before it.
        JobClient job = start(
                repo, 100_000, 100, Duration.ofSeconds(2), Duration.ofHours(1).toMillis());
        JobID id = job.getJobID();

        await(
                "version 2",
                seen -> seen.stream().filter(s -> s.version().equals("2")).count() >= 20,
                Duration.ofSeconds(60));
        client.triggerCheckpoint(id, CheckpointType.FULL).get();
        BundleCopies.publish("bert-token-cls", repo, 3);
        await(
                "version 3",
                seen -> seen.stream().filter(s -> s.version().equals("3")).count() >= 20,
                Duration.ofSeconds(30));
        FAIL_NEXT.set(true);
        await(
                "the restarted task's results",
                seen -> seen.stream().filter(s -> s.attempt() > 0).count() >= 40,
                Duration.ofSeconds(60));
        await(
                "the restarted task on version 3",
                seen -> seen.stream()
                        .anyMatch(s -> s.attempt() > 0 && s.version().equals("3")),
                Duration.ofSeconds(30));
        job.cancel().get();

        Map<Integer, List<Seen>> restarted =
                new TreeMap<>(SEEN.stream().filter(s -> s.attempt() > 0).collect(Collectors.groupingBy(Seen::subtask)));
        assertThat(restarted).isNotEmpty();
        for (List<Seen> subtask : restarted.values()) {
            assertThat(subtask.get(0).version())
                    .as("the checkpoint's version first, then the newest")
                    .isEqualTo("2");
            assertThat(subtask).extracting(Seen::version).containsSubsequence("2", "3");
        }
    }
}
