package io.torchstream.internal.flink;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a JSON-lines file as raw bytes per line, so that the parser sees exactly what is in the file
 * (invalid UTF-8 included) and every record knows its line number. Empty lines are skipped; nothing
 * else is.
 */
public final class JsonLinesFormat extends SimpleStreamFormat<RawEvent> {

    private static final long serialVersionUID = 1L;

    private final String source;

    /** @param source the name records carry as their source (the file path) */
    public JsonLinesFormat(String source) {
        this.source = source;
    }

    @Override
    public StreamFormat.Reader<RawEvent> createReader(Configuration config, FSDataInputStream stream) {
        return new Reader(new BufferedInputStream(stream, 1 << 16), source);
    }

    @Override
    public TypeInformation<RawEvent> getProducedType() {
        return TypeInformation.of(RawEvent.class);
    }

    private static final class Reader implements StreamFormat.Reader<RawEvent> {
        private final InputStream in;
        private final String source;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        private long lineNumber;

        Reader(InputStream in, String source) {
            this.in = in;
            this.source = source;
        }

        @Override
        public RawEvent read() throws IOException {
            while (true) {
                line.reset();
                int b;
                boolean any = false;
                while ((b = in.read()) != -1 && b != '\n') {
                    line.write(b);
                    any = true;
                }
                if (b == -1 && !any) {
                    return null;
                }
                lineNumber++;
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                if (length == 0) {
                    continue;
                }
                byte[] value = length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
                return new RawEvent(null, value, source, -1, lineNumber);
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
