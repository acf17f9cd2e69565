package io.torchstream.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.testing.BundleCopies;
import io.torchstream.testing.Fixtures;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.ExceptionUtils;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * ML_PREDICT over a repository of numbered versions: the model serves its highest whole version (the swap
 * itself is the session's, tested there and in the DataStream job), and says which in {@code model_version}.
 */
class SqlReloadITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @TempDir
    Path tmp;

    private static final String OUTPUT = " OUTPUT (label STRING, model_version STRING)";

    @Test
    void aRepositoryServesItsHighestWholeVersionAndRowsSayWhich() throws Exception {
        Path repo = tmp.resolve("sentiment");
        BundleCopies.publish("bert-seq-cls", repo, 1);
        BundleCopies.publish("bert-seq-cls", repo, 2);
        BundleCopies.halfCopy("bert-seq-cls", repo, 3);
        TableEnvironment env = SqlTesting.env();
        SqlTesting.events(env, "events", List.of("a fine day", "a terrible day", "neither"));
        env.executeSql("CREATE MODEL sentiment INPUT (text STRING)" + OUTPUT
                + " WITH ('provider' = 'torchscript', 'bundle' = " + SqlTesting.literal(repo)
                + ", 'reload.interval' = '200ms')");

        Map<Object, Row> rows = SqlTesting.collectById(
                env,
                "SELECT id, label, model_version FROM ML_PREDICT(TABLE events, MODEL sentiment, DESCRIPTOR(text))");

        assertThat(rows).hasSize(3);
        assertThat(rows.values()).extracting(r -> r.getField("model_version")).containsOnly("2");
    }

    @Test
    void reloadNeedsARepository() {
        TableEnvironment env = SqlTesting.env();
        SqlTesting.events(env, "events", List.of("a fine day"));
        env.executeSql("CREATE MODEL sentiment INPUT (text STRING)" + OUTPUT
                + " WITH ('provider' = 'torchscript', 'bundle' = "
                + SqlTesting.literal(Fixtures.bundleDir("bert-seq-cls")) + ", 'reload.interval' = '1 min')");
        assertThatThrownBy(() -> env.executeSql(
                        "SELECT id, label FROM ML_PREDICT(TABLE events, MODEL sentiment, DESCRIPTOR(text))"))
                .satisfies(e -> assertThat(ExceptionUtils.stringifyException(e))
                        .contains("'reload.interval'")
                        .contains("needs a repository of numbered versions"));
    }

    @Test
    void aRepositoryWithNoWholeVersionFailsAtPlanningNamingTheFolder() {
        Path repo = tmp.resolve("empty");
        BundleCopies.halfCopy("bert-seq-cls", repo, 1);
        TableEnvironment env = SqlTesting.env();
        SqlTesting.events(env, "events", List.of("a fine day"));
        env.executeSql("CREATE MODEL sentiment INPUT (text STRING)" + OUTPUT
                + " WITH ('provider' = 'torchscript', 'bundle' = " + SqlTesting.literal(repo) + ")");
        assertThatThrownBy(() -> env.executeSql(
                        "SELECT id, label FROM ML_PREDICT(TABLE events, MODEL sentiment, DESCRIPTOR(text))"))
                .satisfies(e -> assertThat(ExceptionUtils.stringifyException(e))
                        .contains(repo.toAbsolutePath().toString())
                        .contains("holds no whole model version"));
    }
}
