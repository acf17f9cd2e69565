package io.torchstream.internal.bundle;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What a bundle's model computes, and so how its outputs are decoded. */
public enum Task {
    SEQUENCE_CLASSIFICATION("sequence-classification"),
    TOKEN_CLASSIFICATION("token-classification"),
    EMBEDDING("embedding");

    private final String id;

    Task(String id) {
        this.id = id;
    }

    /** The name used in bundle.json and job files. */
    public String id() {
        return id;
    }

    /** Parses a task name; the message lists the known ones. */
    public static Task fromId(String id) {
        for (Task task : values()) {
            if (task.id.equals(id)) {
                return task;
            }
        }
        throw new IllegalArgumentException("unknown task '" + id + "': expected one of "
                + Arrays.stream(values()).map(Task::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
