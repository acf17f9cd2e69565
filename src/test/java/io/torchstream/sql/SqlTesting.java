package io.torchstream.sql;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Table environments, event views and results for the SQL tests. */
final class SqlTesting {

    private SqlTesting() {}

    /** A streaming table environment on the test's MiniCluster. */
    static TableEnvironment env() {
        return TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    }

    /**
     * Registers {@code name} as a table of (id INT, text STRING) rows, read in id order from one
     * JSON-lines file; a null text stays NULL. (A VALUES table would not keep the order: the planner makes
     * it a union of one-row inputs.)
     */
    static void events(TableEnvironment env, String name, List<String> texts) {
        List<String[]> rows = new ArrayList<>();
        texts.forEach(t -> rows.add(new String[] {t}));
        table(env, name, List.of("text"), rows);
    }

    /** Registers {@code name} as a table of (id INT, text STRING, text_pair STRING) rows, in id order. */
    static void pairs(TableEnvironment env, String name, List<String[]> pairs) {
        table(env, name, List.of("text", "text_pair"), pairs);
    }

    private static void table(TableEnvironment env, String name, List<String> columns, List<String[]> rows) {
        ObjectMapper json = new ObjectMapper();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            ObjectNode row = json.createObjectNode().put("id", i);
            for (int c = 0; c < columns.size(); c++) {
                row.put(columns.get(c), rows.get(i)[c]);
            }
            lines.append(row).append('\n');
        }
        Path file;
        try {
            file = Files.createTempFile("torchstream-sql-" + name, ".jsonl");
            Files.writeString(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        file.toFile().deleteOnExit();
        StringBuilder ddl = new StringBuilder("CREATE TEMPORARY TABLE " + name + " (id INT");
        columns.forEach(c -> ddl.append(", ").append(c).append(" STRING"));
        ddl.append(") WITH ('connector' = 'filesystem', 'format' = 'json', 'path' = ")
                .append(literal(file))
                .append(")");
        env.executeSql(ddl.toString());
    }

    /** Runs a query to its end; rows keyed by their first column (an id), in arrival order. */
    static Map<Object, Row> collectById(TableEnvironment env, String query) throws Exception {
        Map<Object, Row> rows = new LinkedHashMap<>();
        CloseableIterator<Row> it = env.executeSql(query).collect();
        try {
            while (it.hasNext()) {
                Row row = it.next();
                if (rows.put(row.getField(0), row) != null) {
                    throw new AssertionError("id " + row.getField(0) + " twice in " + query);
                }
            }
        } finally {
            it.close();
        }
        return rows;
    }

    /** A SQL string literal. */
    static String literal(Object value) {
        return "'" + value.toString().replace("'", "''") + "'";
    }

    static String literal(Path path) {
        return literal(path.toAbsolutePath().toString());
    }
}
