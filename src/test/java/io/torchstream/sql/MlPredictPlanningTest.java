package io.torchstream.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.torchstream.testing.Fixtures;

import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.config.ExecutionConfigOptions;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * What Flink's planner says about torchscript models before anything runs: the provider is found by
 * its identifier, and wrong options, schemas and batch sizes fail with messages that name the model,
 * the key or column, the value and what was expected.
 */
class MlPredictPlanningTest {

    private static final String SEQ_CLS = SqlTesting.literal(Fixtures.bundleDir("bert-seq-cls"));

    private TableEnvironment env;

    @BeforeEach
    void events() {
        env = SqlTesting.env();
        SqlTesting.events(env, "events", List.of("hello", "world"));
    }

    private void model(String name, String input, String output, String options) {
        env.executeSql("CREATE MODEL " + name + " INPUT (" + input + ") OUTPUT (" + output
                + ") WITH ('provider' = 'torchscript', " + options + ")");
    }

    private String plan(String model, String map) {
        return env.explainSql("SELECT id, label FROM ML_PREDICT(TABLE events, MODEL " + model + ", DESCRIPTOR(text)"
                + (map.isEmpty() ? "" : ", " + map) + ")");
    }

    /** The messages of the exception planning throws and of its causes, one line each. */
    private static String failure(Runnable planning) {
        try {
            planning.run();
        } catch (RuntimeException e) {
            StringBuilder all = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                all.append(t.getClass().getSimpleName())
                        .append(": ")
                        .append(t.getMessage())
                        .append("\n");
            }
            return all.toString();
        }
        throw new AssertionError("planning succeeded");
    }

    @Test
    void aValidModelPlansAsAnMlPredict() {
        model("m", "text STRING", "label STRING, score DOUBLE", "'bundle' = " + SEQ_CLS);
        assertThat(plan("m", "")).contains("MLPredictTableFunction");
    }

    @Test
    void unknownAndMissingOptionsAreRefused() {
        model("typo", "text STRING", "label STRING", "'bundle' = " + SEQ_CLS + ", 'batch.max-sise' = '4'");
        assertThat(failure(() -> plan("typo", ""))).contains("Unsupported options", "batch.max-sise", "batch.max-size");
        model("nobundle", "text STRING", "label STRING", "'threads' = '1'");
        assertThat(failure(() -> plan("nobundle", ""))).contains("Missing required options", "bundle");
    }

    @Test
    void badOptionValuesNameKeyValueAndExpectation() {
        model("m1", "text STRING", "label STRING", "'bundle' = " + SEQ_CLS + ", 'batch.max-size' = 'many'");
        assertThat(failure(() -> plan("m1", ""))).contains("'batch.max-size'", "'many'");
        model("m2", "text STRING", "label STRING", "'bundle' = " + SEQ_CLS + ", 'sharing' = 'everywhere'");
        assertThat(failure(() -> plan("m2", "")))
                .contains(
                        "Model default_catalog.default_database.m2: 'sharing' = 'everywhere' expected one of per-slot, task-manager");
        model("m3", "text STRING", "label STRING", "'bundle' = '/no/such/bundle'");
        assertThat(failure(() -> plan("m3", "")))
                .contains("'bundle' = '/no/such/bundle' is not a usable bundle", "is not a folder");
        model(
                "m4",
                "text STRING",
                "label STRING",
                "'bundle' = " + SEQ_CLS + ", 'labels-file' = 'jobs/labels/news-topics.yaml'");
        assertThat(failure(() -> plan("m4", "")))
                .contains(
                        "'labels-file'", "classifies with an embedding bundle", "is a sequence-classification bundle");
        model("m5", "text STRING", "label STRING", "'bundle' = " + SEQ_CLS + ", 'threads' = '-2'");
        assertThat(failure(() -> plan("m5", ""))).contains("'threads' = '-2' must be >= 0");
        model("m6", "text STRING", "label STRING", "'bundle' = " + SEQ_CLS + ", 'scale' = '20'");
        assertThat(failure(() -> plan("m6", ""))).contains("'scale' = '20' only applies with 'labels-file'");
        model("m7", "text STRING", "label STRING", "'bundle' = " + SEQ_CLS + ", 'tagging.aggregation' = 'first'");
        assertThat(failure(() -> plan("m7", "")))
                .contains("'tagging.aggregation' = 'first' only applies to token-classification bundles");
        model(
                "m8",
                "text STRING",
                "entities ARRAY<ROW<word STRING>>",
                "'bundle' = " + SqlTesting.literal(Fixtures.bundleDir("bert-token-cls"))
                        + ", 'tagging.ignore-labels' = 'NONE'");
        assertThat(failure(() -> env.explainSql(
                        "SELECT id, entities FROM ML_PREDICT(TABLE events, MODEL m8, DESCRIPTOR(text))")))
                .contains("have no 'NONE'");
    }

    @Test
    void outputColumnsAreCheckedAgainstTheBundle() {
        model("m1", "text STRING", "label INT", "'bundle' = " + SEQ_CLS);
        assertThat(failure(() -> plan("m1", "")))
                .contains("(bundle bert-seq-cls, sequence-classification): OUTPUT column 'label'"
                        + " is INT, but sequence classification gives label as STRING. The bundle's task (sequence classification)"
                        + " offers: label STRING, score DOUBLE, scores MAP<STRING, DOUBLE>, truncated BOOLEAN,"
                        + " model_version STRING.");
        model("m2", "text STRING", "label STRING, embedding ARRAY<FLOAT>", "'bundle' = " + SEQ_CLS);
        assertThat(failure(() -> plan("m2", "")))
                .contains("OUTPUT column 'embedding' is not an output of sequence classification"
                        + " (embedding needs an embedding bundle)");
        model("m3", "text STRING", "label STRING NOT NULL", "'bundle' = " + SEQ_CLS);
        assertThat(failure(() -> plan("m3", "")))
                .contains("OUTPUT column 'label' is STRING NOT NULL but must be nullable");
        model(
                "m4",
                "text STRING",
                "entities ARRAY<ROW<entity_group STRING, `start` BIGINT>>",
                "'bundle' = " + SqlTesting.literal(Fixtures.bundleDir("bert-token-cls")));
        assertThat(failure(() -> env.explainSql(
                        "SELECT id, entities FROM ML_PREDICT(TABLE events, MODEL m4, DESCRIPTOR(text))")))
                .contains("OUTPUT column 'entities' has field 'start' as BIGINT, but entities give it as INT");
        model(
                "m5",
                "text STRING",
                "label STRING",
                "'bundle' = " + SqlTesting.literal(Fixtures.bundleDir("bert-embedding")));
        assertThat(failure(() -> plan("m5", "")))
                .contains(
                        "OUTPUT column 'label' is not an output of sentence embedding (label,"
                                + " score and scores need a sequence-classification bundle, or an embedding bundle with 'labels-file')");
    }

    @Test
    void inputColumnsFollowTheBundle() {
        SqlTesting.pairs(env, "pairs", List.<String[]>of(new String[] {"a", "b"}));
        model("single", "text STRING, text_pair STRING", "label STRING", "'bundle' = " + SEQ_CLS);
        assertThat(failure(() -> env.explainSql(
                        "SELECT id, label FROM ML_PREDICT(TABLE pairs, MODEL single, DESCRIPTOR(text, text_pair))")))
                .contains(
                        "INPUT must be one STRING column, the text, such as (text STRING); found (text STRING, text_pair STRING);"
                                + " two columns are for sentence-pair bundles, and this one is not");
        model(
                "pair",
                "text STRING",
                "label STRING",
                "'bundle' = " + SqlTesting.literal(Fixtures.bundleDir("bert-pair-cls")));
        assertThat(failure(() -> plan("pair", ""))).contains("INPUT must be two STRING columns, the text and its pair");
    }

    @Test
    void theBatchSizeMayNotExceedTheRowsInFlight() {
        model("m", "text STRING", "label STRING", "'bundle' = " + SEQ_CLS + ", 'batch.max-size' = '16'");
        assertThat(failure(() -> plan("m", "")))
                .contains("'batch.max-size' = '16' exceeds the 10 rows ML_PREDICT keeps in flight"
                        + " (max-concurrent-operations)");
        assertThatCode(() -> plan("m", "MAP['max-concurrent-operations', '16']"))
                .doesNotThrowAnyException();
        env.getConfig().set(ExecutionConfigOptions.TABLE_EXEC_ASYNC_ML_PREDICT_MAX_CONCURRENT_OPERATIONS, 20);
        assertThatCode(() -> plan("m", "")).as("the session's setting").doesNotThrowAnyException();
        assertThat(failure(() -> plan("m", "MAP['max-concurrent-operations', '8']")))
                .as("the call's map wins over the session")
                .contains("exceeds the 8 rows ML_PREDICT keeps in flight");
    }

    @Test
    void theBatchWaitMustBeShorterThanTheAsyncTimeout() {
        model("w", "text STRING", "label STRING", "'bundle' = " + SEQ_CLS + ", 'batch.max-wait' = '2s'");
        assertThat(failure(() -> plan("w", "MAP['timeout', '1s']")))
                .contains("'batch.max-wait' = '2000 ms' is not shorter than ML_PREDICT's async timeout of 1000 ms");
        assertThatCode(() -> plan("w", "")).doesNotThrowAnyException();
    }

    @Test
    void onlyTheAsynchronousModeIsOffered() {
        model("m", "text STRING", "label STRING", "'bundle' = " + SEQ_CLS);
        assertThat(failure(() -> plan("m", "MAP['async', 'false']"))).contains("doesn't support sync mode");
    }
}
