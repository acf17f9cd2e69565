package io.torchstream.internal.task;

import java.util.List;

/**
 * The entities found in one text, in text order.
 *
 * @param entities the entities
 * @param truncated always false: long texts run as overlapping windows, so every token is tagged
 */
public record Entities(List<Entity> entities, boolean truncated) implements Prediction {}
