package io.torchstream.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.internal.flink.EventContract;
import io.torchstream.internal.flink.EventParser;
import io.torchstream.internal.flink.RawEvent;
import io.torchstream.testing.BadRecords;

import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * TORCHSTREAM_PARSE refuses what the DataStream jobs refuse, with the same reasons, and keeps the original bytes. Fields by
 * position: id, text, text_pair, error, original, original_base64.
 */
class TorchstreamParseTest {

    private final TorchstreamParse parse = new TorchstreamParse();

    @Test
    void everyBadRecordIsRefusedWithTheDataStreamJobsReason() {
        EventParser jobs = new EventParser(EventContract.defaults());
        for (Map.Entry<String, byte[]> bad : BadRecords.corpus().entrySet()) {
            Row row = parse.eval(bad.getValue());
            String reason =
                    jobs.parse(new RawEvent(null, bad.getValue(), "t", 0, 1)).reason();
            assertThat(reason).as(bad.getKey()).isNotNull();
            assertThat(row.getField(3)).as(bad.getKey()).isEqualTo(reason);
            assertThat(row.getField(1)).isNull();
            assertThat(row.getField(5))
                    .isEqualTo(
                            bad.getValue() == null ? null : Base64.getEncoder().encodeToString(bad.getValue()));
        }
    }

    @Test
    void aGoodRecordGivesItsFieldsAndNoIdWhenItHasNone() {
        Row row = parse.eval("{\"id\": 7, \"text\": \"Zoë\", \"text_pair\": \"b\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(row.getField(0)).isEqualTo("7");
        assertThat(row.getField(1)).isEqualTo("Zoë");
        assertThat(row.getField(2)).isEqualTo("b");
        assertThat(row.getField(3)).isNull();
        assertThat(row.getField(4)).isEqualTo("{\"id\": 7, \"text\": \"Zoë\", \"text_pair\": \"b\"}");
        assertThat(parse.eval("{\"text\": \"x\"}".getBytes(StandardCharsets.UTF_8))
                        .getField(0))
                .isNull();
    }

    @Test
    void otherFieldsLimitsAndEmptyTexts() {
        byte[] body = "{\"key\": \"k\", \"body\": \"  \"}".getBytes(StandardCharsets.UTF_8);
        assertThat(parse.eval(body, "key", "body", "pair", 1024, "predict").getField(1))
                .isEqualTo("  ");
        assertThat(parse.eval(body, "key", "body", "pair", 1024, "dead-letter").getField(3))
                .isEqualTo("empty text in field 'body' (input.empty-text: dead-letter)");
        assertThat(parse.eval(body, "key", "body", "pair", 64, "predict").getField(3))
                .isNull();
        assertThat(parse.eval(body, "key", "body", "pair", 10, "predict").getField(3))
                .isEqualTo("record of 26 bytes exceeds the limit of 10 (input.max-bytes)");
        assertThatThrownBy(() -> parse.eval(body, "key", "body", "pair", 64, "skip"))
                .hasMessageContaining("expected dead-letter or predict");
    }
}
