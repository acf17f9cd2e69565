package io.torchstream.sql;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

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

    /** Registers {@code name} as a view of (id INT, text STRING) rows; a null text stays NULL. */
    static void events(TableEnvironment env, String name, List<String> texts) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            rows.add(Row.of(i, texts.get(i)));
        }
        Table table = env.fromValues(DataTypes.ROW(DataTypes.FIELD("id", DataTypes.INT()), DataTypes.FIELD("text", DataTypes.STRING())),
                rows);
        env.createTemporaryView(name, table);
    }

    /** Registers {@code name} as a view of (id INT, text STRING, text_pair STRING) rows. */
    static void pairs(TableEnvironment env, String name, List<String[]> pairs) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            rows.add(Row.of(i, pairs.get(i)[0], pairs.get(i)[1]));
        }
        Table table = env.fromValues(DataTypes.ROW(DataTypes.FIELD("id", DataTypes.INT()), DataTypes.FIELD("text", DataTypes.STRING()),
                DataTypes.FIELD("text_pair", DataTypes.STRING())), rows);
        env.createTemporaryView(name, table);
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
