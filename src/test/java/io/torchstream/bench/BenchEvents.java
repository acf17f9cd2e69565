package io.torchstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Benchmark inputs: the repository's headlines (or paragraphs), cycled into N events with unique ids. */
public final class BenchEvents {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private BenchEvents() {}

    /** The texts of JSON-lines files ({@code text} fields). */
    public static List<String> texts(List<Path> files) throws IOException {
        List<String> texts = new ArrayList<>();
        for (Path file : files) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    JsonNode doc = MAPPER.readTree(line);
                    texts.add(doc.get("text").asText());
                }
            }
        }
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("no texts in " + files);
        }
        return texts;
    }

    /** Paragraph-length texts: runs of 4 to 7 consecutive headlines joined into one text. */
    static List<String> paragraphs(List<String> headlines) {
        List<String> paragraphs = new ArrayList<>();
        int size = 4;
        for (int i = 0; i + size <= headlines.size(); i += size, size = 4 + (size - 3) % 4) {
            StringBuilder p = new StringBuilder();
            for (String h : headlines.subList(i, i + size)) {
                p.append(p.length() == 0 ? "" : " ").append(h).append(h.endsWith(".") ? "" : ".");
            }
            paragraphs.add(p.toString());
        }
        return paragraphs;
    }

    /** Writes {@code n} events cycling through {@code texts}. */
    static Path write(List<String> texts, int n, Path file) throws IOException {
        return write(texts, n, 0, 1, file);
    }

    /** Writes events {@code part}, {@code part + parts}, ... of {@code n}, cycling through {@code texts}. */
    public static Path write(List<String> texts, int n, int part, int parts, Path file) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = part; i < n; i += parts) {
                ObjectNode event = MAPPER.createObjectNode();
                event.put("id", "b" + i);
                event.put("text", texts.get(i % texts.size()));
                out.write(MAPPER.writeValueAsString(event));
                out.write('\n');
            }
        }
        return file;
    }
}
