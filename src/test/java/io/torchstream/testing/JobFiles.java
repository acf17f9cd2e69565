package io.torchstream.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Job files, event files and the JSON-lines a job writes. */
public final class JobFiles {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JobFiles() {}

    public static Path write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path writeLines(Path file, List<byte[]> lines) {
        try {
            Files.createDirectories(file.getParent());
            try (var out = Files.newOutputStream(file)) {
                for (byte[] line : lines) {
                    out.write(line);
                    out.write('\n');
                }
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] json(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<JsonNode> readLines(Path file) {
        try {
            List<JsonNode> docs = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                docs.add(MAPPER.readTree(line));
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Documents keyed by a field, failing on duplicates. */
    public static Map<String, JsonNode> byField(List<JsonNode> docs, String field) {
        Map<String, JsonNode> map = new LinkedHashMap<>();
        for (JsonNode doc : docs) {
            JsonNode previous = map.put(doc.get(field).asText(), doc);
            if (previous != null) {
                throw new AssertionError("duplicate " + field + " " + doc.get(field));
            }
        }
        return map;
    }
}
