package io.torchstream.internal.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Locale;

/** One readable line per result or dead letter, for watching a job in a terminal. */
public final class ConsoleLines {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int TEXT_WIDTH = 90;

    private ConsoleLines() {}

    public static String of(OutputRecord record) {
        JsonNode doc;
        try {
            doc = MAPPER.readTree(record.value());
        } catch (IOException e) {
            return record.valueAsString();
        }
        if (doc.has("reason")) {
            String where = doc.has("line")
                    ? doc.get("source").asText() + ":" + doc.get("line").asText()
                    : doc.get("source").asText() + "-" + doc.path("partition").asText() + "@"
                            + doc.path("offset").asText();
            return String.format(
                    Locale.ROOT, "dead letter  %s  %s", where, doc.get("reason").asText());
        }
        String id = doc.path("id").asText("");
        String text = clip(doc.path("text").asText(""));
        if (doc.has("label")) {
            return String.format(
                    Locale.ROOT,
                    "%-10s %-9s %.2f  %s",
                    id,
                    doc.get("label").asText(),
                    doc.get("score").asDouble(),
                    text);
        }
        if (doc.has("entities")) {
            StringBuilder entities = new StringBuilder();
            for (JsonNode e : doc.get("entities")) {
                entities.append(entities.length() == 0 ? "" : ", ")
                        .append(e.path("word").asText())
                        .append(" [")
                        .append(
                                e.has("entity_group")
                                        ? e.get("entity_group").asText()
                                        : e.path("entity").asText())
                        .append(']');
            }
            return String.format(
                    Locale.ROOT, "%-10s %s  <-  %s", id, entities.length() == 0 ? "(no entities)" : entities, text);
        }
        if (doc.has("embedding")) {
            return String.format(
                    Locale.ROOT,
                    "%-10s embedding[%d]  %s",
                    id,
                    doc.get("embedding").size(),
                    text);
        }
        return record.valueAsString();
    }

    private static String clip(String text) {
        String oneLine = text.replaceAll("\\s+", " ");
        return oneLine.length() <= TEXT_WIDTH ? oneLine : oneLine.substring(0, TEXT_WIDTH - 1) + "…";
    }
}
