package io.torchstream.internal.flink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Dead-letter documents: the reason, the original bytes (base64, plus the text when it is valid
 * UTF-8), and where the record came from.
 */
public final class DeadLetters {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DeadLetters() {}

    public static OutputRecord of(RawEvent raw, String reason) {
        return of(raw, reason, null);
    }

    /**
     * A dead letter that leaves out the original record when {@code omitOriginalBecause} says why (a job that
     * redacts personal data must not copy it to its dead letters); the reason says what was left out.
     */
    public static OutputRecord of(RawEvent raw, String reason, String omitOriginalBecause) {
        ObjectNode doc = MAPPER.createObjectNode();
        if (omitOriginalBecause != null) {
            doc.put(
                    "reason",
                    reason + " (original and original_base64 omitted: " + omitOriginalBecause + "; "
                            + (raw.value() == null ? "a tombstone" : raw.value().length + " bytes")
                            + " at the position below)");
        } else {
            doc.put("reason", reason);
        }
        doc.put("source", raw.source());
        if (raw.partition() >= 0) {
            doc.put("partition", raw.partition());
        }
        doc.put(raw.partition() >= 0 ? "offset" : "line", raw.offset());
        byte[] original = raw.value();
        if (omitOriginalBecause != null) {
            // Nothing of the record, not even its text's length in characters, only where to find it.
        } else if (original == null) {
            doc.putNull("original");
        } else {
            String text = strictUtf8(original);
            if (text != null) {
                doc.put("original", text);
            }
            doc.put("original_base64", Base64.getEncoder().encodeToString(original));
        }
        try {
            return new OutputRecord(raw.key(), MAPPER.writeValueAsBytes(doc));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes as text when they are valid UTF-8, else null. */
    public static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
