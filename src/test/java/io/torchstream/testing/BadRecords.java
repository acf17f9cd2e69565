package io.torchstream.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Records that no job may run nor lose: each must become a dead letter with a reason. Named by what is
 * wrong with them; a null value is a Kafka tombstone.
 */
public final class BadRecords {

    private BadRecords() {}

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The corpus, in a fixed order. */
    public static Map<String, byte[]> corpus() {
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put(
                "invalid UTF-8",
                new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
        bad.put("not JSON", utf8("{broken"));
        bad.put("deep JSON", utf8("[".repeat(5000) + "]".repeat(5000)));
        bad.put("a huge record", utf8("{\"text\": \"" + "x".repeat((1 << 20) + 10) + "\"}"));
        bad.put("a byte order mark", utf8("\uFEFF{\"id\": \"bom\", \"text\": \"hello\"}"));
        bad.put("a lone surrogate", utf8("{\"text\": \"bad \\ud800 surrogate\"}"));
        bad.put("a tombstone", null);
        bad.put("an array", utf8("[\"not\", \"an\", \"object\"]"));
        bad.put("a string", utf8("\"just a string\""));
        bad.put("a number", utf8("42"));
        bad.put("no text", utf8("{\"id\": \"x\", \"body\": \"hello\"}"));
        bad.put("an empty text", utf8("{\"text\": \"   \"}"));
        bad.put("a text that is not a string", utf8("{\"text\": [1, 2]}"));
        return bad;
    }

    /** The corpus's names, in order. */
    public static ArrayList<String> names() {
        return new ArrayList<>(corpus().keySet());
    }
}
