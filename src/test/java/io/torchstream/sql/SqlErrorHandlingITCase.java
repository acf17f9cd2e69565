package io.torchstream.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.testing.Fixtures;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.ExceptionUtils;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

/**
 * 'error-handling' on a MiniCluster: a row the model cannot predict (a text longer than the model with
 * 'truncate' = 'false', an empty text with 'empty-text' = 'error') fails the job with 'failover', gets NULL
 * outputs with 'ignore', and NULL outputs and its reason with 'column'; its neighbours in the same batch are
 * predicted either way.
 */
class SqlErrorHandlingITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final String LONG = "the service was slow and the food was cold but the staff were kind and the"
            + " view over the harbour was lovely at sunset";
    private static final List<String> TEXTS = List.of("good", LONG, "bad", "", "fine");

    private static TableEnvironment env(String handling, String outputs) {
        TableEnvironment env = SqlTesting.env();
        env.getConfig().set("parallelism.default", "1");
        env.getConfig().set("restart-strategy.type", "none");
        SqlTesting.events(env, "events", TEXTS);
        env.executeSql("CREATE MODEL sentiment INPUT (text STRING) OUTPUT (" + outputs + ")"
                + " WITH ('provider' = 'torchscript', 'bundle' = "
                + SqlTesting.literal(Fixtures.bundleDir("bert-seq-cls"))
                + ", 'truncate' = 'false', 'empty-text' = 'error', 'error-handling' = '" + handling + "'"
                + ", 'batch.max-size' = '8', 'batch.max-wait' = '50ms')");
        return env;
    }

    @Test
    void columnGivesNullOutputsAndTheReason() throws Exception {
        Map<Object, Row> rows = SqlTesting.collectById(
                env("column", "label STRING, score DOUBLE, error STRING"),
                "SELECT id, label, score, error FROM ML_PREDICT(TABLE events, MODEL sentiment, DESCRIPTOR(text))");

        assertThat(rows).hasSize(TEXTS.size());
        for (int id : List.of(0, 2, 4)) {
            assertThat(rows.get(id).getField("label")).as("row %d", id).isNotNull();
            assertThat(rows.get(id).getField("error")).isNull();
        }
        assertThat(rows.get(1).getField("label")).isNull();
        assertThat(rows.get(1).getField("score")).isNull();
        assertThat(rows.get(1).getField("error"))
                .isEqualTo("the text has more tokens than the model's 24, and truncation is off");
        assertThat(rows.get(3).getField("label")).isNull();
        assertThat(rows.get(3).getField("error")).isEqualTo("empty text ('empty-text' = 'error')");
    }

    @Test
    void ignoreGivesNullOutputs() throws Exception {
        Map<Object, Row> rows = SqlTesting.collectById(
                env("ignore", "label STRING, score DOUBLE"),
                "SELECT id, label, score FROM ML_PREDICT(TABLE events, MODEL sentiment, DESCRIPTOR(text))");

        assertThat(rows).hasSize(TEXTS.size());
        assertThat(rows.get(1).getField("label")).isNull();
        assertThat(rows.get(3).getField("label")).isNull();
        assertThat(rows.get(0).getField("label")).isNotNull();
        assertThat(rows.get(4).getField("label")).isNotNull();
    }

    @Test
    void failoverFailsTheJobWithTheReason() {
        assertThatThrownBy(() -> SqlTesting.collectById(
                        env("failover", "label STRING"),
                        "SELECT id, label FROM ML_PREDICT(TABLE events, MODEL sentiment, DESCRIPTOR(text))"))
                .satisfies(e -> assertThat(ExceptionUtils.stringifyException(e))
                        .contains("('error-handling' = 'failover'; 'ignore' or 'column' keep the job running)"));
    }

    @Test
    void theErrorColumnAndColumnHandlingComeTogether() {
        assertThatThrownBy(() -> env("failover", "label STRING, error STRING")
                        .executeSql(
                                "SELECT id, label FROM ML_PREDICT(TABLE events, MODEL sentiment, DESCRIPTOR(text))"))
                .satisfies(e -> assertThat(ExceptionUtils.stringifyException(e))
                        .contains("OUTPUT column 'error' is for 'error-handling' = 'column'"));
        assertThatThrownBy(() -> env("column", "label STRING")
                        .executeSql(
                                "SELECT id, label FROM ML_PREDICT(TABLE events, MODEL sentiment, DESCRIPTOR(text))"))
                .satisfies(e -> assertThat(ExceptionUtils.stringifyException(e))
                        .contains("'error-handling' = 'column' needs an OUTPUT column 'error STRING'"));
        assertThatThrownBy(() -> env("retry", "label STRING")
                        .executeSql(
                                "SELECT id, label FROM ML_PREDICT(TABLE events, MODEL sentiment, DESCRIPTOR(text))"))
                .satisfies(e -> assertThat(ExceptionUtils.stringifyException(e))
                        .contains("'error-handling' = 'retry' expected one of failover, ignore, column"));
    }
}
