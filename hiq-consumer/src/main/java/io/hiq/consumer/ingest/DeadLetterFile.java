package io.hiq.consumer.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dead-letter file {@code $HIQ_HOME/consumer/dead-letter.jsonl}: one JSON line per record that is
 * not a valid tree, with its topic, partition, offset, the reason, its size, and its first bytes
 * (base64, and as text with invalid UTF-8 replaced). Lines are appended and flushed whole; the count
 * is exposed in {@code /metrics}. Delivery is at-least-once like the trees': a record redelivered
 * after a crash before its offset was committed is written again.
 */
public final class DeadLetterFile implements AutoCloseable {
    /** How many leading bytes of a bad record are kept. */
    public static final int FIRST_BYTES = 256;
    private static final JsonFactory JSON = new JsonFactory();

    private final Path path;
    private final OutputStream out;
    private final AtomicLong count = new AtomicLong();

    /** Opens (appending, creating directories) the dead-letter file. */
    public DeadLetterFile(Path path) throws IOException {
        this.path = path;
        Files.createDirectories(path.toAbsolutePath().getParent());
        this.out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    public Path path() { return path; }

    /** Dead letters written by this process. */
    public long count() { return count.get(); }

    /** Appends one dead letter. */
    public synchronized void write(String topic, int partition, long offset, String reason, byte[] value) {
        StringWriter w = new StringWriter(512);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.now().toString());
            g.writeStringField("topic", topic);
            g.writeNumberField("partition", partition);
            g.writeNumberField("offset", offset);
            g.writeStringField("reason", reason);
            if (value == null) {
                g.writeNullField("size");
            } else {
                byte[] first = Arrays.copyOf(value, Math.min(FIRST_BYTES, value.length));
                g.writeNumberField("size", value.length);
                g.writeStringField("first_bytes_base64", Base64.getEncoder().encodeToString(first));
                g.writeStringField("first_bytes_text", new String(first, StandardCharsets.UTF_8));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            out.write((w + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + path, e);
        }
        count.incrementAndGet();
    }

    @Override
    public synchronized void close() throws IOException { out.close(); }
}
