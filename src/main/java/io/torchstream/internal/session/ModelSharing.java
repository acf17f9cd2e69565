package io.torchstream.internal.session;

/** Whether each parallel instance loads its own copy of the model, or a TaskManager's slots share one. */
public enum ModelSharing {
    /** One copy per slot: isolation, at the cost of memory per slot. */
    PER_SLOT("per-slot"),
    /** One copy per TaskManager (per job), reference-counted and freed with its last user. */
    TASK_MANAGER("task-manager");

    private final String id;

    ModelSharing(String id) {
        this.id = id;
    }

    /** The name used in job files and model options. */
    public String id() {
        return id;
    }
}
