package io.torchstream.internal.flink;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes each record's JSON as one line of a local file, for local runs and tests. Run it at
 * parallelism 1. The writer, on the TaskManager that holds the file, replaces it when the job starts
 * and appends to it when the job restores a checkpoint. It is not transactional: after a failover,
 * lines written since the last checkpoint are written again (at-least-once); use Kafka for exactly-once.
 */
public final class JsonLinesFileSink implements Sink<OutputRecord> {

    private static final long serialVersionUID = 1L;

    private final String path;

    public JsonLinesFileSink(String path) {
        this.path = path;
    }

    @Override
    public SinkWriter<OutputRecord> createWriter(WriterInitContext context) throws IOException {
        Path file = Path.of(path);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        // A start without a checkpoint replays the input from its beginning, so what an earlier run wrote goes.
        StandardOpenOption mode = context.getRestoredCheckpointId().isPresent()
                ? StandardOpenOption.APPEND
                : StandardOpenOption.TRUNCATE_EXISTING;
        OutputStream out = new BufferedOutputStream(
                Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode), 1 << 16);
        return new SinkWriter<>() {
            @Override
            public void write(OutputRecord element, Context ctx) throws IOException {
                out.write(element.value());
                out.write('\n');
            }

            @Override
            public void flush(boolean endOfInput) throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }
}
