package io.torchstream.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The labelled PII set (data/pii/messages.jsonl) and its planted identifiers, for the redaction job's tests. */
public final class PlantedPii {

    /** Types whose recognizers validate what they find: a planted one must never survive redaction. */
    public static final Set<String> VALIDATED = Set.of("EMAIL", "URL", "IP_ADDRESS", "CREDIT_CARD", "IBAN");

    /** One planted identifier: the message's id, its type and its text. */
    public record Identifier(String message, String type, String value) {}

    private PlantedPii() {}

    public static List<JsonNode> messages() {
        return JobFiles.readLines(Path.of("data/pii/messages.jsonl"));
    }

    /** The planted identifiers of validated types in {@code messages}. */
    public static List<Identifier> validated(List<JsonNode> messages) {
        List<Identifier> found = new ArrayList<>();
        for (JsonNode m : messages) {
            for (JsonNode span : m.get("spans")) {
                if (VALIDATED.contains(span.get("type").asText())) {
                    found.add(new Identifier(
                            m.get("id").asText(),
                            span.get("type").asText(),
                            span.get("value").asText()));
                }
            }
        }
        return found;
    }
}
