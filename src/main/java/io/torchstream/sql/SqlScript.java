package io.torchstream.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SQL script as the SQL client reads one: statements separated by semicolons, with {@code --} and
 * {@code /* *}{@code /} comments; semicolons inside quotes ('...', "...", `...`) and comments do not
 * end a statement. Comments are dropped; line breaks are kept, so the planner's line numbers match
 * the file's within a statement.
 */
final class SqlScript {

    private static final Pattern SET = Pattern.compile("(?is)SET\\s+'((?:[^']|'')*)'\\s*=\\s*'((?:[^']|'')*)'");
    private static final Pattern ADD_JAR = Pattern.compile("(?is)ADD\\s+JAR\\s+.*");

    private SqlScript() {}

    /** The statements of a script, trimmed, without their semicolons; empty ones are dropped. */
    public static List<String> statements(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int n = script.length();
        int i = 0;
        while (i < n) {
            char c = script.charAt(i);
            if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
                while (i < n && script.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
                int end = script.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("a /* comment is never closed");
                }
                for (int k = i; k < end + 2; k++) {
                    if (script.charAt(k) == '\n') {
                        current.append('\n');
                    }
                }
                current.append(' ');
                i = end + 2;
            } else if (c == '\'' || c == '"' || c == '`') {
                int end = i + 1;
                while (true) {
                    if (end >= n) {
                        throw new IllegalArgumentException(
                                "a " + c + " quote is never closed, from: " + preview(script, i));
                    }
                    if (script.charAt(end) == c) {
                        if (end + 1 < n && script.charAt(end + 1) == c) {
                            end += 2;
                            continue;
                        }
                        break;
                    }
                    end++;
                }
                current.append(script, i, end + 1);
                i = end + 1;
            } else if (c == ';') {
                add(statements, current);
                i++;
            } else {
                current.append(c);
                i++;
            }
        }
        add(statements, current);
        return statements;
    }

    private static void add(List<String> statements, StringBuilder current) {
        String statement = current.toString().strip();
        if (!statement.isEmpty()) {
            statements.add(statement);
        }
        current.setLength(0);
    }

    private static String preview(String script, int at) {
        String rest = script.substring(at, Math.min(script.length(), at + 40)).replace('\n', ' ');
        return at + 40 < script.length() ? rest + "..." : rest;
    }

    /** The key and value of a SQL client {@code SET 'key' = 'value'} statement, or null. */
    static String[] set(String statement) {
        Matcher m = SET.matcher(statement.strip());
        return m.matches()
                ? new String[] {m.group(1).replace("''", "'"), m.group(2).replace("''", "'")}
                : null;
    }

    /** Whether a statement is an {@code ADD JAR}. */
    static boolean isAddJar(String statement) {
        return ADD_JAR.matcher(statement.strip()).matches();
    }

    /** Whether a statement writes to a table (and so submits a job). */
    static boolean isInsert(String statement) {
        String s = statement.strip().toUpperCase(Locale.ROOT);
        return s.startsWith("INSERT") || s.startsWith("EXECUTE");
    }

    /** Whether a statement opens a statement set ({@code BEGIN STATEMENT SET}), closed by {@code END}. */
    static boolean isBeginStatementSet(String statement) {
        return statement
                .strip()
                .toUpperCase(Locale.ROOT)
                .replaceAll("\\s+", " ")
                .equals("BEGIN STATEMENT SET");
    }

    static boolean isEnd(String statement) {
        return statement.strip().equalsIgnoreCase("END");
    }
}
