package io.torchstream.internal.pii;

import io.torchstream.internal.task.Entity;

import java.util.List;

/** Finds one type of personal data by a pattern, each candidate checked by a validator. */
interface PatternRecognizer {

    /** The recognizer's name, lower case; its entities' source is {@code pattern:NAME}. */
    String name();

    /** The entity type it reports, such as {@code EMAIL}. */
    String label();

    /** The validated matches in order of start, grouped, with code-point offsets and score 1. */
    List<Entity> find(String text);
}
