package io.torchstream.internal.flink;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.torchstream.internal.text.TextInput;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Turns raw record bytes into a {@link TextEvent}, or says why it cannot: every refusal has a reason
 * that ends up in the dead letter. Never throws on bad data.
 */
public final class EventParser {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final EventContract contract;

    public EventParser(EventContract contract) {
        this.contract = contract;
    }

    /** The outcome: an event, or the reason it was refused. */
    public record Result(TextEvent event, String reason) {
        static Result ok(TextEvent event) {
            return new Result(event, null);
        }

        static Result refuse(String reason) {
            return new Result(null, reason);
        }

        public boolean isOk() {
            return event != null;
        }
    }

    public Result parse(RawEvent raw) {
        byte[] bytes = raw.value();
        if (bytes == null) {
            return Result.refuse("empty record (null value)");
        }
        if (bytes.length > contract.maxBytes()) {
            return Result.refuse("record of " + bytes.length + " bytes exceeds the limit of " + contract.maxBytes()
                    + " (input.max-bytes)");
        }
        String utf8 = decodeUtf8(bytes);
        if (utf8 == null) {
            return Result.refuse("not valid UTF-8");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(utf8);
        } catch (JsonProcessingException e) {
            return Result.refuse("not JSON: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            return Result.refuse("not JSON: no content");
        }
        if (!root.isObject()) {
            return Result.refuse("not a JSON object (found " + kind(root) + ")");
        }

        String text = stringField(root, contract.textField());
        if (text == null) {
            return Result.refuse(missingOrWrong(root, contract.textField()));
        }
        if (TextInput.hasUnpairedSurrogate(text)) {
            return Result.refuse("field '" + contract.textField()
                    + "' contains an unpaired UTF-16 surrogate (\\ud800-\\udfff escape)");
        }
        if (text.isBlank() && contract.emptyText() == EventContract.EmptyText.DEAD_LETTER) {
            return Result.refuse("empty text in field '" + contract.textField() + "' (input.empty-text: dead-letter)");
        }

        String pair = null;
        JsonNode pairNode = root.get(contract.textPairField());
        if (pairNode != null && !pairNode.isNull()) {
            if (!pairNode.isTextual()) {
                return Result.refuse(
                        "field '" + contract.textPairField() + "' is " + kind(pairNode) + ", not a string");
            }
            pair = pairNode.asText();
            if (TextInput.hasUnpairedSurrogate(pair)) {
                return Result.refuse("field '" + contract.textPairField() + "' contains an unpaired UTF-16 surrogate");
            }
        } else if (contract.requirePair()) {
            return Result.refuse(
                    "missing field '" + contract.textPairField() + "': the model classifies sentence pairs");
        }

        String id;
        JsonNode idNode = root.get(contract.idField());
        if (idNode == null || idNode.isNull()) {
            id = raw.position();
        } else if (idNode.isTextual() || idNode.isIntegralNumber()) {
            id = idNode.asText();
        } else {
            return Result.refuse(
                    "field '" + contract.idField() + "' is " + kind(idNode) + ", not a string or an integer");
        }
        return Result.ok(new TextEvent(id, text, pair, raw));
    }

    private static String stringField(JsonNode root, String field) {
        JsonNode node = root.get(field);
        return node != null && node.isTextual() ? node.asText() : null;
    }

    private static String missingOrWrong(JsonNode root, String field) {
        JsonNode node = root.get(field);
        return node == null
                ? "missing field '" + field + "'"
                : "field '" + field + "' is " + kind(node) + ", not a string";
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case STRING -> "a string";
            default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    private static String decodeUtf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return decoder.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    // A lone surrogate cannot become UTF-8, and the tokenizer's native side would reject it.
}
