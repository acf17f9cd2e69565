package io.torchstream.sql;

import io.torchstream.internal.flink.DeadLetters;
import io.torchstream.internal.flink.EventContract;
import io.torchstream.internal.flink.EventParser;
import io.torchstream.internal.flink.RawEvent;
import io.torchstream.internal.flink.TextEvent;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.FunctionHint;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.types.Row;

import java.util.Base64;

/**
 * {@code TORCHSTREAM_PARSE(bytes)}: parses a raw record (a Kafka value read with {@code 'format' = 'raw'})
 * with the rules and reasons of the DataStream jobs, so that a SQL job can route what it refuses to a
 * dead-letter table instead of skipping it. Gives {@code ROW<id, text, text_pair, error, original,
 * original_base64>}: the event's fields, or NULLs and the reason in {@code error}; {@code original} is
 * the record as text when it is valid UTF-8, and {@code original_base64} its bytes.
 *
 * <pre>
 * CREATE TEMPORARY SYSTEM FUNCTION TORCHSTREAM_PARSE AS 'io.torchstream.sql.TorchstreamParse';
 * SELECT TORCHSTREAM_PARSE(`value`) AS e FROM raw_events;
 * TORCHSTREAM_PARSE(`value`, 'id', 'body', 'text_pair', 1048576, 'predict')  -- other fields, limit, empty texts
 * </pre>
 *
 * The record's id is NULL when it has none; the query can take the Kafka partition and offset instead.
 */
@PublicEvolving
@FunctionHint(
        output =
                @DataTypeHint(
                        "ROW<id STRING, text STRING, text_pair STRING, error STRING, original STRING, original_base64 STRING>"))
public final class TorchstreamParse extends ScalarFunction {

    private static final long serialVersionUID = 1L;
    private static final EventParser DEFAULT = new EventParser(EventContract.defaults());

    /**
     * Parses with the default fields ({@code id}, {@code text}, {@code text_pair}) and limit (1 MB).
     *
     * @param bytes the record, or NULL (a Kafka tombstone)
     * @return the event, or the reason it was refused
     */
    public Row eval(byte[] bytes) {
        return parse(DEFAULT, bytes);
    }

    /**
     * Parses with the given fields, size limit and rule for empty texts, as a job file's {@code input.*} keys.
     *
     * @param bytes the record, or NULL
     * @param idField the field with the event id
     * @param textField the field with the text
     * @param textPairField the field with the second segment
     * @param maxBytes larger records are refused
     * @param emptyText {@code dead-letter} (an empty or blank text is refused) or {@code predict}
     * @return the event, or the reason it was refused
     */
    public Row eval(
            byte[] bytes, String idField, String textField, String textPairField, Integer maxBytes, String emptyText) {
        if (idField == null || textField == null || textPairField == null || maxBytes == null || emptyText == null) {
            throw new IllegalArgumentException(
                    "TORCHSTREAM_PARSE: the field names, the size limit and the empty-text" + " rule must not be NULL");
        }
        EventContract.EmptyText empty = switch (emptyText) {
            case "dead-letter" -> EventContract.EmptyText.DEAD_LETTER;
            case "predict" -> EventContract.EmptyText.PREDICT;
            default ->
                throw new IllegalArgumentException("TORCHSTREAM_PARSE: the empty-text argument is '" + emptyText
                        + "'; expected dead-letter or predict");
        };
        return parse(
                new EventParser(new EventContract(idField, textField, textPairField, false, maxBytes, empty)), bytes);
    }

    private static Row parse(EventParser parser, byte[] bytes) {
        EventParser.Result result = parser.parse(RawEvent.of(bytes));
        String original = bytes == null ? null : DeadLetters.strictUtf8(bytes);
        String base64 = bytes == null ? null : Base64.getEncoder().encodeToString(bytes);
        if (!result.isOk()) {
            return Row.of(null, null, null, result.reason(), original, base64);
        }
        TextEvent event = result.event();
        return Row.of(event.id(), event.text(), event.textPair(), null, original, base64);
    }
}
