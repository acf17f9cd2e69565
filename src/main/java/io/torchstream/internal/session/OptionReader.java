package io.torchstream.internal.session;

import io.torchstream.internal.task.LabelSpec;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Typed access to options as a user wrote them, in a job file, a {@code CREATE MODEL ... WITH} map or
 * a {@code ModelSpec}. Values parse as their {@link ConfigOption} says; every failure names where the
 * option was written (file and key, or model and option), the value and what was expected, in the
 * words of that source, and is thrown as that source's exception type.
 */
public abstract class OptionReader {

    /** The value of {@code option} as written, or null if it is not set. */
    public abstract String raw(ConfigOption<?> option);

    /** Every key the source sets, as options name them (a job file's dotted keys, a model's options). */
    protected abstract Set<String> keys();

    /** The keys set under {@code prefix} (such as {@code redact.types.}), in full and sorted. */
    public final Set<String> keysUnder(String prefix) {
        Set<String> under = new java.util.TreeSet<>();
        for (String key : keys()) {
            if (key.startsWith(prefix)) {
                under.add(key);
            }
        }
        return under;
    }

    /** Whoever wrote the options, for messages about more than one of them: a job file, a model. */
    public abstract String origin();

    /** A message about one option and its value (null when unset), in this source's words. */
    protected abstract String describe(ConfigOption<?> option, String value, String problem);

    /** This source's exception for a message that says everything. */
    protected abstract RuntimeException error(String message, Throwable cause);

    /** Resolves a path value of {@code option}: relative to the working directory, unless the source says otherwise. */
    public Path path(ConfigOption<String> option, String value) {
        return Path.of(value).toAbsolutePath().normalize();
    }

    /** Labels written inline (a job file's classify.labels), or null when none were. */
    public List<LabelSpec> inlineLabels() {
        return null;
    }

    /** What batch.max-size 0 picks on this source's path, for messages. */
    public String automaticBatchSize() {
        return "the bundle's largest batch times the number of lengths it was verified at, at most 4";
    }

    /** How a message names labels written inline. */
    public String inlineLabelsName() {
        return ModelOptions.JOB_INLINE_LABELS;
    }

    /** How a message names {@code option}: a job file's dotted key, a model's option, a builder's method. */
    public abstract String name(ConfigOption<?> option);

    public final boolean isSet(ConfigOption<?> option) {
        return raw(option) != null;
    }

    /** The typed value, or the option's default when unset. */
    public final <T> T get(ConfigOption<T> option, String expected) {
        String value = raw(option);
        if (value == null) {
            return option.hasDefaultValue() ? option.defaultValue() : null;
        }
        try {
            return Configuration.fromMap(Map.of(option.key(), value)).get(option);
        } catch (IllegalArgumentException e) {
            throw fail(option, "is not valid; expected " + expected, e);
        }
    }

    public final int atLeast(ConfigOption<Integer> option, int min) {
        int value = get(option, "an integer");
        if (value < min) {
            throw fail(option, "must be >= " + min);
        }
        return value;
    }

    /** A value that must be given and not blank. */
    public final String nonEmpty(ConfigOption<String> option, String problem) {
        String value = get(option, "a text");
        if (value == null || value.isBlank()) {
            throw fail(option, problem);
        }
        return value;
    }

    /** One of an enum's constants, by its id ({@code task-manager}, {@code verified}, ...). */
    public final <E extends Enum<E>> E choice(ConfigOption<String> option, E[] values, Function<E, String> id) {
        String value = get(option, "a text");
        String expected = Arrays.stream(values).map(id).collect(Collectors.joining(", "));
        if (value == null) {
            throw fail(option, "is required; expected one of " + expected);
        }
        for (E candidate : values) {
            if (id.apply(candidate).equals(value)) {
                return candidate;
            }
        }
        throw fail(option, "expected one of " + expected);
    }

    public final RuntimeException fail(ConfigOption<?> option, String problem) {
        return fail(option, problem, null);
    }

    public final RuntimeException fail(ConfigOption<?> option, String problem, Throwable cause) {
        return error(describe(option, raw(option), problem), cause);
    }

    /** A failure about the options as a whole, or about the bundle they name. */
    public final RuntimeException fail(String problem, Throwable cause) {
        return error(origin() + ": " + problem, cause);
    }
}
