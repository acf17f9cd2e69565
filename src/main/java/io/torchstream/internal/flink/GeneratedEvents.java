package io.torchstream.internal.flink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.flink.connector.datagen.source.GeneratorFunction;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Events for load and soak runs: event {@code n} is {@code {"id": "g<n>", "text": texts[n % size],
 * "created_ms": now}}, as
 * raw bytes, so that the whole job runs as it does for Kafka or file input.
 */
public final class GeneratedEvents implements GeneratorFunction<Long, RawEvent> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final List<String> texts;

    public GeneratedEvents(List<String> texts) {
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("no texts to generate events from");
        }
        this.texts = List.copyOf(texts);
    }

    @Override
    public RawEvent map(Long n) throws Exception {
        ObjectNode event = MAPPER.createObjectNode();
        event.put("id", "g" + n);
        event.put("text", texts.get((int) (n % texts.size())));
        // Passes through to the result, so that a reader can tell each event's end-to-end latency.
        event.put("created_ms", System.currentTimeMillis());
        return new RawEvent(
                null, MAPPER.writeValueAsString(event).getBytes(StandardCharsets.UTF_8), "generator", -1, n);
    }
}
