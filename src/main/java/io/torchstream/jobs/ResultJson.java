package io.torchstream.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.torchstream.Classified;
import io.torchstream.Embedded;
import io.torchstream.EntitySpan;
import io.torchstream.ModelResult;
import io.torchstream.Tagged;
import io.torchstream.internal.flink.OutputRecord;
import io.torchstream.internal.flink.TextEvent;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;

/**
 * Writes a job's results as JSON: the input event's fields, then the prediction in HF pipeline terms
 * ({@code label}, {@code score}, {@code scores}; {@code entities} of {@code entity_group}, {@code score},
 * {@code word}, {@code start}, {@code end}; {@code embedding}), {@code truncated} and the model's name and
 * version; {@code redacted} when the model redacts, in which case the text field is left out unless the job
 * keeps it. Result fields replace input fields of the same name.
 */
final class ResultJson implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String idField;
    private final boolean includeScores;
    private final String dropField;

    /**
     * @param dropField an input field that results leave out (the text, when the job redacts it), or null
     */
    ResultJson(String idField, boolean includeScores, String dropField) {
        this.idField = idField;
        this.includeScores = includeScores;
        this.dropField = dropField;
    }

    OutputRecord classified(Classified<TextEvent> result) {
        ObjectNode doc = event(result.getValue());
        doc.put("label", result.getLabel());
        doc.put("score", result.getScore());
        if (includeScores) {
            ObjectNode scores = doc.putObject("scores");
            for (int i = 0; i < result.getLabels().length; i++) {
                scores.put(result.getLabels()[i], result.getScores()[i]);
            }
        }
        return write(doc, result);
    }

    OutputRecord tagged(Tagged<TextEvent> result) {
        ObjectNode doc = event(result.getValue());
        ArrayNode list = doc.putArray("entities");
        for (EntitySpan e : result.getEntities()) {
            ObjectNode node = list.addObject();
            node.put(e.isGrouped() ? "entity_group" : "entity", e.getLabel());
            node.put("score", e.getScore());
            if (e.getIndex() >= 0) {
                node.put("index", e.getIndex());
            }
            if (dropField == null) {
                // The entity's text is the original's: it leaves with the text, or not at all.
                node.put("word", e.getWord());
            }
            node.put("start", e.getStart());
            node.put("end", e.getEnd());
            node.put("source", e.getSource());
        }
        if (result.getRedacted() != null) {
            doc.put("redacted", result.getRedacted());
        }
        return write(doc, result);
    }

    OutputRecord embedded(Embedded<TextEvent> result) {
        ObjectNode doc = event(result.getValue());
        ArrayNode vector = doc.putArray("embedding");
        for (float v : result.getVector()) {
            vector.add(v);
        }
        return write(doc, result);
    }

    private ObjectNode event(TextEvent event) {
        ObjectNode doc;
        try {
            doc = (ObjectNode) MAPPER.readTree(event.json());
        } catch (IOException e) {
            throw new UncheckedIOException("event " + event.id() + " was validated as JSON but no longer parses", e);
        }
        if (!doc.hasNonNull(idField)) {
            doc.put(idField, event.id());
        }
        if (dropField != null) {
            doc.remove(dropField);
        }
        return doc;
    }

    private static OutputRecord write(ObjectNode doc, ModelResult<TextEvent> result) {
        doc.put("truncated", result.isTruncated());
        doc.put("model", result.getModel());
        doc.put("model_version", result.getModelVersion());
        try {
            return OutputRecord.of(result.getValue().id(), MAPPER.writeValueAsBytes(doc));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
