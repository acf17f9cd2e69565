package io.torchstream.flink;

/** Whether each parallel instance loads its own copy of the model, or a TaskManager's slots share one. */
public enum ModelSharing {
    /** One copy per slot: isolation, at the cost of memory per slot. */
    PER_SLOT,
    /** One copy per TaskManager (per job), reference-counted and freed with its last user. */
    TASK_MANAGER
}
