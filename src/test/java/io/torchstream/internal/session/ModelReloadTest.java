package io.torchstream.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.torchstream.internal.task.Entities;
import io.torchstream.internal.task.Entity;
import io.torchstream.internal.task.Prediction;
import io.torchstream.internal.text.TextInput;
import io.torchstream.testing.BundleCopies;
import io.torchstream.testing.Fixtures;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hot reload in the model session, on real libtorch: a higher whole version of the repository takes over at
 * a batch boundary, each batch's outputs are those its version gives alone, and whatever is wrong with a new
 * version leaves the old one serving.
 */
class ModelReloadTest {

    private static final List<TextInput> TEXTS =
            Fixtures.inputs(Fixtures.reference("bert-token-cls")).subList(0, 6);

    /** What each fixture gives alone, on the same texts in the same batch. */
    private static final Map<String, List<Prediction>> ALONE = new HashMap<>();

    @TempDir
    Path tmp;

    @BeforeAll
    static void alone() {
        for (String fixture : List.of("bert-token-cls", "roberta-token-cls")) {
            try (ModelSession session = ModelSession.open(
                    ModelSettings.of(Fixtures.bundleDir(fixture).toString()), 1)) {
                ALONE.put(fixture, session.predict(TEXTS).results());
            }
        }
    }

    @AfterEach
    void closeUnused() {
        SharedModels.closeUnused();
    }

    @AfterAll
    static void keepAliveBack() {
        SharedModels.keepAlive(30_000);
    }

    private static ModelSettings settings(Path repo, Duration interval, boolean sameLabels) {
        return ModelSettings.of(repo.toString()).withReload(new ModelSettings.Reload(interval, sameLabels));
    }

    private static void assertSameEntities(List<Prediction> actual, List<Prediction> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.size(); i++) {
            List<Entity> a = ((Entities) actual.get(i)).entities();
            List<Entity> e = ((Entities) expected.get(i)).entities();
            assertThat(a)
                    .extracting(Entity::label, Entity::start, Entity::end, Entity::word)
                    .as("text %d", i)
                    .isEqualTo(e.stream()
                            .map(x -> org.assertj.core.groups.Tuple.tuple(x.label(), x.start(), x.end(), x.word()))
                            .toList());
            for (int k = 0; k < a.size(); k++) {
                assertThat(a.get(k).score()).isCloseTo(e.get(k).score(), within(1e-5));
            }
        }
    }

    @Test
    void aHigherWholeVersionTakesOverAndBrokenOnesAreSkipped() {
        SharedModels.keepAlive(0);
        Path repo = tmp.resolve("tagger");
        BundleCopies.publish("bert-token-cls", repo, 1);
        try (ModelSession session = ModelSession.open(settings(repo, Duration.ZERO, true), 1)) {
            ModelSession.Batch first = session.predictBatch(TEXTS);
            assertThat(first.modelVersion()).isEqualTo("1");
            assertSameEntities(first.predictions().results(), ALONE.get("bert-token-cls"));

            BundleCopies.halfCopy("roberta-token-cls", repo, 2);
            BundleCopies.corruptModel(BundleCopies.copy("roberta-token-cls", repo.resolve("3")));
            assertThat(session.reloadNow()).isFalse();
            assertThat(session.reloadNow()).as("unchanged: not counted twice").isFalse();
            assertThat(session.reloadFailures()).isEqualTo(2);
            assertThat(session.predictBatch(TEXTS).modelVersion()).isEqualTo("1");

            BundleCopies.delete(repo.resolve("2"));
            BundleCopies.publish("roberta-token-cls", repo, 2);
            assertThat(session.reloadNow()).isTrue();

            ModelSession.Batch second = session.predictBatch(TEXTS);
            assertThat(second.modelVersion()).isEqualTo("2");
            assertThat(session.activeVersionNumber()).isEqualTo(2);
            assertSameEntities(second.predictions().results(), ALONE.get("roberta-token-cls"));
            assertThat(session.reloads()).isEqualTo(1);
            assertThat(session.reloadMillis()).isPositive();
            assertThat(SharedModels.loaded()).as("version 1 was closed").isEqualTo(1);
        }
        assertThat(SharedModels.loaded()).isZero();
    }

    @Test
    void versionsOfAnotherTaskOrWithOtherLabelsAreRefused() {
        Path repo = tmp.resolve("sentiment");
        BundleCopies.publish("bert-seq-cls", repo, 1);
        try (ModelSession session = ModelSession.open(settings(repo, Duration.ZERO, true), 1)) {
            BundleCopies.publish("distilbert-seq-cls", repo, 2);
            assertThat(session.reloadNow()).as("other labels").isFalse();
            BundleCopies.publish("bert-token-cls", repo, 3);
            assertThat(session.reloadNow()).as("another task").isFalse();
            assertThat(session.reloadFailures()).isEqualTo(2);
            assertThat(session.predictBatch(TEXTS).modelVersion()).isEqualTo("1");
        }
        Path any = tmp.resolve("any");
        BundleCopies.publish("bert-seq-cls", any, 1);
        try (ModelSession session = ModelSession.open(settings(any, Duration.ZERO, false), 1)) {
            BundleCopies.publish("distilbert-seq-cls", any, 2);
            assertThat(session.reloadNow()).as("reload.labels any").isTrue();
            assertThat(session.manifest().labels()).containsExactly("NEGATIVE", "POSITIVE");
        }
    }

    @Test
    void batchesRunningWhileVersionsSwapEachRunOnOneVersion() throws Exception {
        SharedModels.keepAlive(0);
        Path repo = tmp.resolve("tagger");
        BundleCopies.publish("bert-token-cls", repo, 1);
        Map<String, String> fixtureOf = Map.of("1", "bert-token-cls", "2", "roberta-token-cls", "3", "bert-token-cls");
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try (ModelSession session = ModelSession.open(settings(repo, Duration.ZERO, true), 1)) {
            AtomicBoolean stop = new AtomicBoolean();
            Future<List<ModelSession.Batch>> batches = caller.submit(() -> {
                List<ModelSession.Batch> out = new ArrayList<>();
                while (!stop.get() || out.size() < 3) {
                    out.add(session.predictBatch(TEXTS));
                }
                return out;
            });
            for (long version = 2; version <= 3; version++) {
                BundleCopies.publish(fixtureOf.get(Long.toString(version)), repo, version);
                assertThat(session.reloadNow()).isTrue();
                Thread.sleep(200);
            }
            stop.set(true);
            List<ModelSession.Batch> seen = batches.get();
            long last = 0;
            for (ModelSession.Batch batch : seen) {
                long version = Long.parseLong(batch.modelVersion());
                assertThat(version).as("monotonic").isGreaterThanOrEqualTo(last);
                last = version;
                assertSameEntities(batch.predictions().results(), ALONE.get(fixtureOf.get(batch.modelVersion())));
            }
            assertThat(last).isEqualTo(3);
            assertThat(SharedModels.loaded()).as("versions 1 and 2 closed").isEqualTo(1);
        } finally {
            caller.shutdownNow();
        }
    }

    @Test
    void anEmptiedOrDeletedRepositoryLeavesTheVersionServing() {
        Path repo = tmp.resolve("tagger");
        BundleCopies.publish("bert-token-cls", repo, 1);
        try (ModelSession session = ModelSession.open(settings(repo, Duration.ZERO, true), 1)) {
            BundleCopies.delete(repo.resolve("1"));
            assertThat(session.reloadNow()).isFalse();
            assertThat(session.reloadFailures()).as("empty is not a failure").isZero();
            BundleCopies.delete(repo);
            assertThat(session.reloadNow()).isFalse();
            assertThat(session.reloadNow()).isFalse();
            assertThat(session.reloadFailures()).as("once per outage").isEqualTo(1);
            assertSameEntities(session.predictBatch(TEXTS).predictions().results(), ALONE.get("bert-token-cls"));
        }
    }

    @Test
    void aRestoredSessionStartsOnTheCheckpointsVersionAndThePollerMovesOn() throws Exception {
        Path repo = tmp.resolve("tagger");
        BundleCopies.publish("bert-token-cls", repo, 1);
        BundleCopies.publish("roberta-token-cls", repo, 2);
        try (ModelSession session = ModelSession.open(settings(repo, Duration.ofMillis(100), true), 1, 1)) {
            assertThat(session.modelVersion()).isEqualTo("1");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (session.activeVersionNumber() != 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(session.modelVersion()).as("polled and swapped").isEqualTo("2");
            assertSameEntities(session.predictBatch(TEXTS).predictions().results(), ALONE.get("roberta-token-cls"));
        }
    }
}
