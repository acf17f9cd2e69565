package io.torchstream.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.util.List;

/** Scripts split into statements as the SQL client splits them. */
class SqlScriptTest {

    @Test
    void splitsOnSemicolonsOutsideQuotesAndComments() {
        List<String> statements = SqlScript.statements("""
                -- a comment; with a semicolon
                SET 'pipeline.name' = 'a;b';
                CREATE TABLE t (`x;y` STRING) /* a ; block
                comment */ WITH ('k' = 'it''s; fine');

                SELECT "q;q" FROM t;   -- trailing
                ;
                """);
        assertThat(statements)
                .containsExactly(
                        "SET 'pipeline.name' = 'a;b'",
                        "CREATE TABLE t (`x;y` STRING) \n  WITH ('k' = 'it''s; fine')",
                        "SELECT \"q;q\" FROM t");
    }

    @Test
    void recognisesTheClientsOwnStatements() {
        assertThat(SqlScript.set("SET 'table.exec.async-ml-predict.max-concurrent-operations' = '16'"))
                .containsExactly("table.exec.async-ml-predict.max-concurrent-operations", "16");
        assertThat(SqlScript.set("set 'a' = 'it''s'")).containsExactly("a", "it's");
        assertThat(SqlScript.set("SELECT 1")).isNull();
        assertThat(SqlScript.isAddJar("ADD JAR 'target/torchstream-job.jar'")).isTrue();
        assertThat(SqlScript.isInsert("INSERT INTO t SELECT 1")).isTrue();
        assertThat(SqlScript.isInsert("insert\ninto t select 1")).isTrue();
        assertThat(SqlScript.isBeginStatementSet("BEGIN  STATEMENT\nSET")).isTrue();
        assertThat(SqlScript.isEnd("end")).isTrue();
    }

    @Test
    void anUnclosedQuoteIsAnError() {
        assertThatThrownBy(() -> SqlScript.statements("SELECT 'open;"))
                .hasMessage("a ' quote is never closed, from: 'open;");
        assertThatThrownBy(() -> SqlScript.statements("SELECT 1 /* open")).hasMessage("a /* comment is never closed");
    }
}
