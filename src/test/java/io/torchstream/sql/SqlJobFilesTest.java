package io.torchstream.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.config.ExecutionConfigOptions;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The SQL job files plan as written (nothing runs, no broker is needed): their models pass the
 * torchscript checks against their bundles, and their SET statements reach the session.
 */
class SqlJobFilesTest {

    @ParameterizedTest
    @ValueSource(strings = {"jobs/classify.sql", "jobs/tag.sql"})
    void plans(String file) throws Exception {
        List<String> statements = SqlScript.statements(Files.readString(Path.of(file), StandardCharsets.UTF_8));
        String insert = statements.get(statements.size() - 1);
        assertThat(SqlScript.isInsert(insert)).isTrue();
        TableEnvironment env = SqlTesting.env();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<?> jobs = SqlRunner.run(
                env,
                statements.subList(0, statements.size() - 1),
                Map.of(),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        assertThat(jobs).isEmpty();
        assertThat(env.getConfig().get(ExecutionConfigOptions.TABLE_EXEC_ASYNC_ML_PREDICT_MAX_CONCURRENT_OPERATIONS))
                .isEqualTo(16);
        assertThat(env.explainSql(insert)).contains("MLPredictTableFunction", "Sink");
    }
}
