package io.torchstream.sql;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.ValidationException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a SQL script such as {@code jobs/classify.sql} on an embedded Flink (a MiniCluster in this JVM),
 * as the SQL client would run it with {@code -f}: {@code SET 'key' = 'value'} sets the session's
 * configuration, {@code ADD JAR} is skipped (torchstream is on this JVM's classpath already, and a second
 * copy in a user classloader would load libtorch twice), {@code BEGIN STATEMENT SET; ... END;} runs its
 * INSERTs as one job, any other statement goes to {@link TableEnvironment#executeSql}. The runner
 * returns once every job the script submitted has ended (never, for unbounded sources).
 *
 * <pre>
 * SqlRunner FILE [--set KEY=VALUE]...
 * </pre>
 *
 * {@code --set} wins over the script's own SET of the same key. Relative paths in the script (bundles,
 * labels files) are relative to the working directory.
 */
public final class SqlRunner {

    public static final String USAGE = "FILE.sql [--set KEY=VALUE]...";

    private SqlRunner() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].startsWith("-")) {
            System.err.println("usage: SqlRunner " + USAGE);
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].equals("--set") || i + 1 >= args.length || args[i + 1].indexOf('=') <= 0) {
                System.err.println("usage: SqlRunner " + USAGE + "\n  unexpected argument: " + args[i]);
                System.exit(2);
            }
            String assignment = args[++i];
            int eq = assignment.indexOf('=');
            overrides.put(
                    assignment.substring(0, eq).trim(),
                    assignment.substring(eq + 1).trim());
        }
        List<String> statements;
        try {
            statements = SqlScript.statements(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            System.err.println("torchstream: cannot read " + file + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.newInstance()
                .inStreamingMode()
                .withConfiguration(Configuration.fromMap(overrides))
                .build());
        try {
            for (TableResult job : run(env, statements, overrides, System.err)) {
                job.await();
            }
        } catch (ValidationException | org.apache.flink.table.api.SqlParserException e) {
            System.err.println("torchstream: " + file + ": " + messages(e));
            System.exit(2);
        } catch (Exception e) {
            System.err.println("torchstream: " + file + ": the job failed: " + messages(e));
            System.exit(1);
        }
        // Threads of libtorch and of the embedded cluster may outlive the jobs: end the process with them.
        System.exit(0);
    }

    /**
     * Executes the statements in order; returns the results of those that submitted jobs (INSERTs and
     * statement sets), without waiting for them. SELECT results are printed to stdout, which waits for
     * their end.
     *
     * @param overrides configuration that the script's SET statements may not change
     * @param log where the runner says what it does
     */
    public static List<TableResult> run(
            TableEnvironment env, List<String> statements, Map<String, String> overrides, PrintStream log) {
        overrides.forEach((k, v) -> env.getConfig().set(k, v));
        List<TableResult> jobs = new ArrayList<>();
        StatementSet set = null;
        for (String statement : statements) {
            String[] assignment = SqlScript.set(statement);
            if (set != null) {
                if (SqlScript.isEnd(statement)) {
                    jobs.add(set.execute());
                    set = null;
                } else if (SqlScript.isInsert(statement)) {
                    set.addInsertSql(statement);
                } else {
                    throw new ValidationException(
                            "only INSERT statements may stand between BEGIN STATEMENT SET and END, found: "
                                    + firstLine(statement));
                }
            } else if (assignment != null) {
                if (overrides.containsKey(assignment[0])) {
                    log.println("torchstream sql: keeping " + assignment[0] + " = " + overrides.get(assignment[0])
                            + " from the command line over the script's " + assignment[1]);
                } else {
                    env.getConfig().set(assignment[0], assignment[1]);
                }
            } else if (SqlScript.isAddJar(statement)) {
                log.println("torchstream sql: skipping " + firstLine(statement)
                        + ": torchstream is on the classpath already");
            } else if (SqlScript.isBeginStatementSet(statement)) {
                set = env.createStatementSet();
            } else if (SqlScript.isInsert(statement)) {
                log.println("torchstream sql: submitting " + firstLine(statement));
                jobs.add(env.executeSql(statement));
            } else if (statement.strip().toUpperCase(Locale.ROOT).startsWith("SELECT")) {
                env.executeSql(statement).print();
            } else {
                env.executeSql(statement);
            }
        }
        if (set != null) {
            throw new ValidationException("BEGIN STATEMENT SET has no END");
        }
        return jobs;
    }

    private static String firstLine(String statement) {
        String line = statement.strip().lines().findFirst().orElse("");
        return line.length() > 80 ? line.substring(0, 77) + "..." : line;
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !all.toString().contains(cause.getMessage())) {
                all.append("\n  caused by: ").append(cause.getMessage());
            }
        }
        return all.toString();
    }
}
