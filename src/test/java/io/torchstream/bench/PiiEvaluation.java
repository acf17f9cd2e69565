package io.torchstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.torchstream.internal.pii.PiiAnalyzer;
import io.torchstream.internal.pii.PiiResult;
import io.torchstream.internal.session.ModelSession;
import io.torchstream.internal.session.ModelSettings;
import io.torchstream.internal.session.RedactionOptions;
import io.torchstream.internal.session.RedactionSettings;
import io.torchstream.internal.task.Entities;
import io.torchstream.internal.task.Entity;
import io.torchstream.internal.text.TextInput;
import io.torchstream.jobs.CommandLine;

import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/torchstream pii-eval}: jobs/pii.yaml's detectors apart and together on the labelled set, each
 * written as the job writes results (redacted, entities), for bench/pii/evaluate.py to score: the model alone
 * (no patterns), the patterns alone (no model entities), and both, as the job runs them.
 */
public final class PiiEvaluation {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PiiEvaluation() {}

    public static void main(String[] args) throws Exception {
        Path dataset = Path.of(args.length > 0 ? args[0] : "data/pii/messages.jsonl");
        Path out = Path.of(args.length > 1 ? args[1] : "target/pii-eval");
        Files.createDirectories(out);
        List<String[]> messages = new ArrayList<>();
        for (String line : Files.readAllLines(dataset, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                JsonNode m = MAPPER.readTree(line);
                messages.add(new String[] {m.get("id").asText(), m.get("text").asText()});
            }
        }
        ModelSettings both = CommandLine.parse(new String[] {"jobs/pii.yaml"}).config().model;
        RedactionSettings r = both.redaction();
        ModelSettings modelOnly = both.withRedaction(new RedactionSettings(
                true,
                List.of(),
                r.phoneRegions(),
                r.threshold(),
                r.allow(),
                r.allowRegex(),
                r.defaultOperator(),
                // Settings of the patterns' types have no entities to apply to without the patterns.
                r.types().entrySet().stream()
                        .filter(e -> !RedactionOptions.PATTERN_TYPES.contains(e.getKey()))
                        .collect(java.util.stream.Collectors.toMap(
                                java.util.Map.Entry::getKey, java.util.Map.Entry::getValue)),
                r.salt()));
        write(out.resolve("both.jsonl"), messages, both);
        write(out.resolve("model.jsonl"), messages, modelOnly);
        try (ModelSession session = ModelSession.open(both, 1);
                Writer w = Files.newBufferedWriter(out.resolve("patterns.jsonl"))) {
            PiiAnalyzer patterns = r.analyzer(ModelSession.entityTypes(session.manifest(), both.tagging()));
            for (String[] m : messages) {
                PiiResult found = patterns.analyze(m[1], List.of());
                w.write(line(m[0], found.text(), found.entities()));
            }
        }
        System.err.println("pii-eval: wrote model.jsonl, patterns.jsonl and both.jsonl to " + out);
    }

    private static void write(Path file, List<String[]> messages, ModelSettings settings) throws Exception {
        try (ModelSession session = ModelSession.open(settings, 1);
                Writer w = Files.newBufferedWriter(file)) {
            for (String[] m : messages) {
                Entities e = (Entities)
                        session.predict(List.of(TextInput.of(m[1]))).results().get(0);
                w.write(line(m[0], e.redacted(), e.entities()));
            }
        }
    }

    private static String line(String id, String redacted, List<Entity> entities) throws Exception {
        ObjectNode doc = MAPPER.createObjectNode();
        doc.put("id", id);
        doc.put("redacted", redacted);
        ArrayNode list = doc.putArray("entities");
        for (Entity e : entities) {
            list.addObject()
                    .put("entity_group", e.label())
                    .put("score", e.score())
                    .put("start", e.start())
                    .put("end", e.end())
                    .put("source", e.source());
        }
        return MAPPER.writeValueAsString(doc) + "\n";
    }
}
