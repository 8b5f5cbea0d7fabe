package io.hiq.consumer.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter file {@code $HIQ_HOME/consumer/dead-letter.jsonl}: one JSON line per record that is
 * not a valid tree, with its topic, partition, offset, the reason, its size, and its first bytes
 * (base64, and as text with invalid UTF-8 replaced). Lines are appended and flushed whole; the count
 * is exposed in {@code /metrics}. Delivery is at-least-once like the trees': a record redelivered
 * after a crash before its offset was committed is written again.
 *
 * <p>Faults: the file is opened lazily and re-opened after a failure, so an unwritable directory at
 * start does not stop the service. A failed append (disk full, I/O error, unwritable directory)
 * truncates the file back to its last complete line, is counted ({@link #failures()}) and thrown as
 * an {@link UncheckedIOException}: the ingest loop keeps the record's offset uncommitted and tries
 * again after a back-off, so the dead letter is never lost.
 */
public final class DeadLetterFile implements AutoCloseable {
    /** How many leading bytes of a bad record are kept. */
    public static final int FIRST_BYTES = 256;
    private static final JsonFactory JSON = new JsonFactory();
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterFile.class);

    private final Path path;
    private FileChannel out;
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    /**
     * Opens (appending, creating directories) the dead-letter file; when that fails now, it is
     * tried again at the first write (a warning is logged).
     */
    public DeadLetterFile(Path path) throws IOException {
        this.path = path;
        try {
            open();
        } catch (IOException e) {
            LOG.warn("consumer: dead-letter file {} cannot be opened now ({}); trying again at the first dead letter", path, e.toString());
        }
    }

    private FileChannel open() throws IOException {
        if (out == null) {
            Files.createDirectories(path.toAbsolutePath().getParent());
            out = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
        return out;
    }

    public Path path() { return path; }

    /** Dead letters written by this process. */
    public long count() { return count.get(); }

    /** Appends that failed (each retried later by the caller). */
    public long failures() { return failures.get(); }

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
        ByteBuffer line = ByteBuffer.wrap((w + "\n").getBytes(StandardCharsets.UTF_8));
        long before = -1;
        try {
            FileChannel ch = open();
            before = ch.size();
            while (line.hasRemaining()) ch.write(line);
            ch.force(false);
        } catch (IOException | RuntimeException e) {
            failures.incrementAndGet();
            dropPartialLine(before);
            throw new UncheckedIOException("cannot append to " + path + ": " + e, e instanceof IOException io ? io : new IOException(e));
        }
        count.incrementAndGet();
    }

    /** After a failed append: cut what was written of the line, then close (re-opened next time). */
    private void dropPartialLine(long before) {
        if (out == null) return;
        try {
            if (before >= 0 && out.size() > before) out.truncate(before);
        } catch (IOException e) {
            LOG.debug("consumer: cannot truncate {} after a failed append", path, e);
        }
        try {
            out.close();
        } catch (IOException e) {
            LOG.debug("consumer: close {}", path, e);
        }
        out = null;
    }

    @Override
    public synchronized void close() throws IOException {
        if (out != null) out.close();
        out = null;
    }
}
