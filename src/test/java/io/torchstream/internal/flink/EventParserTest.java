package io.torchstream.internal.flink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Every malformed record gets a dead letter with a reason; nothing throws. */
class EventParserTest {

    private final EventParser parser = new EventParser(EventContract.defaults());

    private static RawEvent line(String json) {
        return raw(json.getBytes(StandardCharsets.UTF_8));
    }

    private static RawEvent raw(byte[] bytes) {
        return new RawEvent(null, bytes, "events.jsonl", -1, 7);
    }

    private String reason(RawEvent raw) {
        EventParser.Result result = parser.parse(raw);
        assertThat(result.isOk()).as("refused: %s", raw).isFalse();
        return result.reason();
    }

    @Test
    void acceptsAnEventAndKeepsItsBytes() {
        RawEvent raw = line("{\"id\": \"a1\", \"text\": \"Zoë 🗽\", \"lang\": \"fr\"}");
        TextEvent event = parser.parse(raw).event();
        assertThat(event.id()).isEqualTo("a1");
        assertThat(event.text()).isEqualTo("Zoë 🗽");
        assertThat(event.textPair()).isNull();
        assertThat(event.json()).isEqualTo(raw.value());
    }

    @Test
    void numericIdsAreIdsAndMissingIdsBecomeTheSourcePosition() {
        assertThat(parser.parse(line("{\"id\": 42, \"text\": \"x\"}")).event().id())
                .isEqualTo("42");
        assertThat(parser.parse(line("{\"text\": \"x\"}")).event().id()).isEqualTo("events.jsonl:7");
        RawEvent kafka = new RawEvent(null, "{\"text\": \"x\"}".getBytes(StandardCharsets.UTF_8), "in", 2, 99);
        assertThat(parser.parse(kafka).event().id()).isEqualTo("in-2@99");
    }

    @Test
    void refusesWhatIsNotAJsonObjectWithText() {
        assertThat(reason(line("not json"))).startsWith("not JSON: Unrecognized token 'not'");
        assertThat(reason(line("{\"text\": \"a\"} trailing"))).startsWith("not JSON");
        assertThat(reason(line("[1, 2]"))).isEqualTo("not a JSON object (found an array)");
        assertThat(reason(line("\"just a string\""))).isEqualTo("not a JSON object (found a string)");
        assertThat(reason(line("{\"id\": 1}"))).isEqualTo("missing field 'text'");
        assertThat(reason(line("{\"text\": 12}"))).isEqualTo("field 'text' is a number, not a string");
        assertThat(reason(line("{\"text\": null}"))).isEqualTo("field 'text' is null, not a string");
        assertThat(reason(line("{\"text\": \"a\", \"text\": \"b\"}"))).startsWith("not JSON: Duplicate field 'text'");
        assertThat(reason(line("{\"text\": \"a\", \"id\": {\"x\": 1}}")))
                .isEqualTo("field 'id' is an object, not a string or an integer");
        assertThat(reason(line("{\"text\": \"a\", \"text_pair\": [1]}")))
                .isEqualTo("field 'text_pair' is an array, not a string");
    }

    @Test
    void refusesBrokenEncodingsAndNullRecords() {
        assertThat(reason(raw(new byte[] {'{', '"', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'})))
                .isEqualTo("not valid UTF-8");
        assertThat(reason(raw(null))).isEqualTo("empty record (null value)");
        assertThat(reason(line("{\"text\": \"bad \\ud800 surrogate\"}"))).contains("unpaired UTF-16 surrogate");
    }

    @Test
    void refusesOversizedRecords() {
        EventParser small = new EventParser(
                new EventContract("id", "text", "text_pair", false, 100, EventContract.EmptyText.DEAD_LETTER));
        EventParser.Result result = small.parse(line("{\"text\": \"" + "x".repeat(200) + "\"}"));
        assertThat(result.reason()).isEqualTo("record of 212 bytes exceeds the limit of 100 (input.max-bytes)");
    }

    @Test
    void emptyTextIsADeadLetterOrAPredictionByConfiguration() {
        assertThat(reason(line("{\"text\": \"  \"}")))
                .isEqualTo("empty text in field 'text' (input.empty-text: dead-letter)");
        EventParser predicting = new EventParser(
                new EventContract("id", "text", "text_pair", false, 1 << 20, EventContract.EmptyText.PREDICT));
        assertThat(predicting.parse(line("{\"text\": \"\"}")).isOk()).isTrue();
    }

    @Test
    void pairModelsNeedTheSecondSegment() {
        EventParser pairs = new EventParser(
                new EventContract("id", "premise", "hypothesis", true, 1 << 20, EventContract.EmptyText.DEAD_LETTER));
        assertThat(pairs.parse(line("{\"premise\": \"a\", \"hypothesis\": \"b\"}"))
                        .event()
                        .textPair())
                .isEqualTo("b");
        assertThat(pairs.parse(line("{\"premise\": \"a\"}")).reason())
                .isEqualTo("missing field 'hypothesis': the model classifies sentence pairs");
    }

    @Test
    void deadLettersCarryReasonOriginalBytesAndPosition() throws Exception {
        byte[] bytes = {'{', (byte) 0xFF, '}'};
        RawEvent raw = new RawEvent("k".getBytes(StandardCharsets.UTF_8), bytes, "events", 3, 1234);
        OutputRecord dl = DeadLetters.of(raw, "not valid UTF-8");
        JsonNode doc = new ObjectMapper().readTree(dl.value());
        assertThat(doc.get("reason").asText()).isEqualTo("not valid UTF-8");
        assertThat(doc.get("source").asText()).isEqualTo("events");
        assertThat(doc.get("partition").asInt()).isEqualTo(3);
        assertThat(doc.get("offset").asLong()).isEqualTo(1234);
        assertThat(doc.has("original")).as("not UTF-8, so no text copy").isFalse();
        assertThat(Base64.getDecoder().decode(doc.get("original_base64").asText()))
                .isEqualTo(bytes);
        assertThat(dl.key()).isEqualTo("k".getBytes(StandardCharsets.UTF_8));

        JsonNode fromFile = new ObjectMapper()
                .readTree(DeadLetters.of(line("oops"), "not JSON").value());
        assertThat(fromFile.get("line").asLong()).isEqualTo(7);
        assertThat(fromFile.get("original").asText()).isEqualTo("oops");
    }
}
