package io.hiq.core.sink;

import io.hiq.core.spi.TreeSink;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The simplest sink (agent option {@code trees=FILE}, {@code HIQ_TREES_FILE}): every completed tree
 * appended to a file as one B4 JSON line. Buffered; flushed at each end of batch and at exit.
 */
public final class TreesFileSink implements TreeSink {
    private final Path file;
    private OutputStream out;
    private boolean failed;

    /** Opens (creating directories and the file, appending) or throws a clear {@link IOException}. */
    public TreesFileSink(Path file) throws IOException {
        this.file = file;
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        this.out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND), 1 << 16);
    }

    @Override
    public synchronized void accept(HiQTree tree) {
        if (failed) return;
        try {
            TreeCodec.encode(tree, out);
            out.write('\n');
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    @Override
    public synchronized void endOfBatch() { flushQuietly(); }

    @Override
    public synchronized void flush(long deadlineNanos) { flushQuietly(); }

    @Override
    public synchronized void close() {
        flushQuietly();
        try {
            out.close();
        } catch (IOException ignored) {
            // already reported by the flush
        }
    }

    private void flushQuietly() {
        if (failed) return;
        try {
            out.flush();
        } catch (IOException e) {
            fail(e);
        }
    }

    private void fail(Exception e) {
        failed = true;
        System.err.println(io.hiq.core.redact.SafeText.line("hiq: trees file " + file + ": write failed, no more trees go there: " + e.getMessage()));
    }
}
