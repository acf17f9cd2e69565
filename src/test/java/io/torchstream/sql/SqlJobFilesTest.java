package io.torchstream.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.table.api.StatementSet;
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
        int set = statementSet(statements);
        assertThat(statements.subList(set + 1, statements.size() - 1))
                .as("the results and the dead letters, in one job")
                .hasSize(2)
                .allMatch(SqlScript::isInsert);
        TableEnvironment env = SqlTesting.env();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<?> jobs = SqlRunner.run(
                env, statements.subList(0, set), Map.of(), new PrintStream(log, true, StandardCharsets.UTF_8));
        assertThat(jobs).isEmpty();
        assertThat(env.getConfig().get(ExecutionConfigOptions.TABLE_EXEC_ASYNC_ML_PREDICT_MAX_CONCURRENT_OPERATIONS))
                .isEqualTo(16);
        StatementSet both = env.createStatementSet();
        statements.subList(set + 1, statements.size() - 1).forEach(both::addInsertSql);
        String plan = both.explain();
        String executed = plan.substring(plan.indexOf("== Optimized Execution Plan =="));
        assertThat(executed.split("MLPredictTableFunction", -1))
                .as("one ML_PREDICT feeds the results and the dead letters:\n" + executed)
                .hasSize(2);
        assertThat(executed.split("Sink\\(", -1)).as("two sinks").hasSize(3);
    }

    /** Where a script's statement set begins: everything before it declares, the set runs. */
    static int statementSet(List<String> statements) {
        for (int i = 0; i < statements.size(); i++) {
            if (SqlScript.isBeginStatementSet(statements.get(i))) {
                assertThat(SqlScript.isEnd(statements.get(statements.size() - 1)))
                        .as("the script ends with its statement set")
                        .isTrue();
                return i;
            }
        }
        throw new AssertionError("no BEGIN STATEMENT SET");
    }
}
