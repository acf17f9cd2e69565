package io.torchstream.flink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.torchstream.bundle.BundleManifest;
import io.torchstream.task.Classification;
import io.torchstream.task.Embedding;
import io.torchstream.task.Entities;
import io.torchstream.task.Entity;
import io.torchstream.task.Prediction;
import io.torchstream.task.TokenScores;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes a result: the input event's fields, then the prediction in HF pipeline terms ({@code label},
 * {@code score}, {@code scores}; {@code entities} of {@code entity_group}, {@code score}, {@code word},
 * {@code start}, {@code end}; {@code embedding}), {@code truncated} and the model's name and version.
 * Result fields replace input fields of the same name.
 */
public final class ResultFormatter {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String idField;
    private final boolean includeScores;
    private final String modelName;
    private final String modelVersion;

    public ResultFormatter(String idField, boolean includeScores, BundleManifest manifest) {
        this.idField = idField;
        this.includeScores = includeScores;
        this.modelName = manifest.name();
        this.modelVersion = manifest.files().get(BundleManifest.MODEL_FILE).sha256().substring(0, 12);
    }

    public OutputRecord format(TextEvent event, Prediction prediction) {
        ObjectNode doc;
        try {
            doc = (ObjectNode) MAPPER.readTree(event.json());
        } catch (IOException e) {
            throw new UncheckedIOException("event " + event.id() + " was validated as JSON but no longer parses", e);
        }
        if (!doc.hasNonNull(idField)) {
            doc.put(idField, event.id());
        }
        if (prediction instanceof Classification c) {
            doc.put("label", c.label());
            doc.put("score", c.score());
            if (includeScores) {
                ObjectNode scores = doc.putObject("scores");
                for (Map.Entry<String, Double> e : c.scores().entrySet()) {
                    scores.put(e.getKey(), e.getValue());
                }
            }
        } else if (prediction instanceof Embedding e) {
            ArrayNode vector = doc.putArray("embedding");
            for (float v : e.vector()) {
                vector.add(v);
            }
        } else if (prediction instanceof Entities entities) {
            ArrayNode list = doc.putArray("entities");
            for (Entity e : entities.entities()) {
                ObjectNode node = list.addObject();
                node.put(e.grouped() ? "entity_group" : "entity", e.label());
                node.put("score", e.score());
                if (e.index() >= 0) {
                    node.put("index", e.index());
                }
                node.put("word", e.word());
                node.put("start", e.start());
                node.put("end", e.end());
            }
        } else if (prediction instanceof TokenScores) {
            throw new IllegalStateException("token scores are decoded to entities before they are written");
        }
        doc.put("truncated", prediction.truncated());
        doc.put("model", modelName);
        doc.put("model_version", modelVersion);
        try {
            return OutputRecord.of(event.id(), MAPPER.writeValueAsBytes(doc));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
