package io.hiq.consumer.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * How the service opens a SQLite store ({@code jdbc:sqlite:PATH}).
 *
 * <p>Every connection runs in WAL mode with {@code synchronous=NORMAL}: a commit appends the
 * transaction's pages to the {@code -wal} file before it returns, so a committed batch survives a
 * killed process (kill -9: {@code KillNineTest}) with no flush of its own; only the fsync waits for
 * the next checkpoint, so a power cut may lose the last transactions (the offsets of which Kafka may
 * already hold) — {@code ?synchronous=FULL} in the URL trades ingest speed for that. Readers never
 * block the writer nor wait for it (WAL); a connection that meets the file's write lock (a second
 * writer, a checkpoint) waits up to {@value #BUSY_TIMEOUT_MS} ms before failing with a retried error.
 */
final class SqliteFiles {
    /** How long a connection waits for the file's lock before SQLITE_BUSY. */
    static final int BUSY_TIMEOUT_MS = 10_000;
    /**
     * Page cache of the write connection, KiB (negative {@code cache_size} = KiB): the index pages a
     * batch inserts into at random places (id, latency) stay in memory instead of being read back
     * through the OS at each batch.
     */
    static final int WRITER_CACHE_KIB = 128 * 1024;
    /** Page cache of each read connection, KiB. */
    static final int READER_CACHE_KIB = 16 * 1024;
    /**
     * Page size of a new file (SQLite's default is 4 KiB). With 16 KiB pages a 2 000-tree batch
     * writes fewer, fuller pages to the WAL: the commit took 8.9 instead of 21.1 µs per tree and the
     * whole write 46 instead of 60 µs (200 000 trees, docs/PERFORMANCE.md §18). Fixed when the file
     * is created; an existing file keeps its own.
     */
    static final int PAGE_SIZE = 16 * 1024;

    private SqliteFiles() {}

    /** Sets a new connection up (see the class comment); settings given in the URL win. */
    static void configure(Connection c, boolean writer) throws SQLException {
        String url = c.getMetaData().getURL();
        String query = url == null || url.indexOf('?') < 0 ? "" : url.substring(url.indexOf('?') + 1).toLowerCase(Locale.ROOT);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MS);
            // before WAL mode is set on a new file (a no-op on an existing one)
            if (!query.contains("page_size=")) s.execute("PRAGMA page_size=" + PAGE_SIZE);
            if (!query.contains("journal_mode=")) s.execute("PRAGMA journal_mode=WAL");
            if (!query.contains("synchronous=")) s.execute("PRAGMA synchronous=NORMAL");
            if (!query.contains("cache_size=")) s.execute("PRAGMA cache_size=-" + (writer ? WRITER_CACHE_KIB : READER_CACHE_KIB));
        }
    }

    /**
     * Creates the directory of a file store when missing (SQLite creates the file, not its
     * directory; H2 did both): {@code jdbc:sqlite:/dir/store.db}, {@code jdbc:sqlite:file:/dir/store.db?…}.
     */
    static void createParent(String jdbcUrl) throws SQLException {
        String p = jdbcUrl.substring("jdbc:sqlite:".length());
        int q = p.indexOf('?');
        if (q >= 0) p = p.substring(0, q);
        if (p.startsWith("file:")) p = p.substring("file:".length());
        if (p.isEmpty() || p.startsWith(":memory:") || p.contains("mode=memory")) return;
        Path parent = Path.of(p).toAbsolutePath().getParent();
        if (parent == null) return;
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new SQLException("cannot create the store's directory " + parent + ": " + e, e);
        }
    }
}
