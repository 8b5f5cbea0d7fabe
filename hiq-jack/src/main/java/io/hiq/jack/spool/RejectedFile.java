package io.hiq.jack.spool;

import io.hiq.jack.publisher.EncodedTree;
import io.hiq.jack.report.Stderr;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code rejected.jsonl}: trees no publisher can take, one B4 line each, kept for a human. Bounded:
 * when a line would take it past its bound it becomes {@code rejected.jsonl.1} (replacing the
 * previous one) and a new file starts, so it never holds more than twice the bound.
 */
final class RejectedFile {
    /** Default bound of one file. */
    static final long DEFAULT_MAX_BYTES = 8L * 1024 * 1024;

    private final Path file;
    private final Path previous;
    private final long maxBytes;

    RejectedFile(Path file, long maxBytes) {
        this.file = file;
        this.previous = file.resolveSibling(file.getFileName() + ".1");
        this.maxBytes = maxBytes;
    }

    Path path() { return file; }

    /** Appends one line, rotating first when it would pass the bound. */
    synchronized void append(byte[] json) {
        try {
            long size = Files.exists(file) ? Files.size(file) : 0;
            if (size > 0 && size + json.length + 1 > maxBytes) {
                Files.move(file, previous, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ByteBuffer b = ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n');
                b.flip();
                while (b.hasRemaining()) ch.write(b);
            }
        } catch (IOException e) {
            Stderr.line("cannot write " + file + ": " + Stderr.describe(e));
        }
    }

    /** Every kept line, the rotated file first. */
    synchronized List<EncodedTree> readAll() throws IOException {
        List<EncodedTree> out = new ArrayList<>();
        for (Path p : List.of(previous, file)) {
            if (!Files.exists(p)) continue;
            for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) out.add(new EncodedTree("rejected", line.getBytes(StandardCharsets.UTF_8)));
            }
        }
        return out;
    }
}
