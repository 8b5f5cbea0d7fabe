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
 * killed process (kill -9: {@code KillNineTest}, {@code CheckpointKillTest}) with no flush of its
 * own; only the fsync waits for the next checkpoint, so a power cut may lose the last transactions
 * (the offsets of which Kafka may already hold) — {@code ?synchronous=FULL} in the URL trades ingest
 * speed for that. The write connection never checkpoints on its own ({@code wal_autocheckpoint=0}):
 * {@link SqliteCheckpointer} copies the WAL into the database file on a thread of its own, within
 * the bounds it documents (the writer steps in only when the WAL grew past its hard limit). Readers
 * never block the writer nor wait for it (WAL); a connection that meets the file's write lock (a
 * second writer, the writer's truncating checkpoint) waits up to {@value #BUSY_TIMEOUT_MS} ms (or the
 * URL's {@code busy_timeout}) before failing with a retried error.
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

    /** The settings part of a URL (after '?'), lower case; empty when none. */
    private static String query(String url) {
        return url == null || url.indexOf('?') < 0 ? "" : url.substring(url.indexOf('?') + 1).toLowerCase(Locale.ROOT);
    }

    /**
     * The database file of a SQLite URL ({@code jdbc:sqlite:/dir/store.db},
     * {@code jdbc:sqlite:file:/dir/store.db?…}); null for an in-memory store.
     */
    static Path file(String jdbcUrl) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:sqlite:")) return null;
        String p = jdbcUrl.substring("jdbc:sqlite:".length());
        if (p.contains("mode=memory")) return null;
        int q = p.indexOf('?');
        if (q >= 0) p = p.substring(0, q);
        if (p.startsWith("file:")) p = p.substring("file:".length());
        if (p.isEmpty() || p.startsWith(":memory:")) return null;
        return Path.of(p);
    }

    /** Opens a connection to a SQLite URL, set up by {@link #configure}; closed again if that fails. */
    static Connection open(String url, boolean writer) throws SQLException {
        Connection c = java.sql.DriverManager.getConnection(url);
        try {
            configure(c, writer);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Sets a new connection up (see the class comment); settings given in the URL win. */
    static void configure(Connection c, boolean writer) throws SQLException {
        String url = c.getMetaData().getURL();
        String query = query(url);
        try (Statement s = c.createStatement()) {
            if (!query.contains("busy_timeout=")) s.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MS);
            // before WAL mode is set on a new file (a no-op on an existing one)
            if (!query.contains("page_size=")) s.execute("PRAGMA page_size=" + PAGE_SIZE);
            if (!query.contains("journal_mode=")) s.execute("PRAGMA journal_mode=WAL");
            if (!query.contains("synchronous=")) s.execute("PRAGMA synchronous=NORMAL");
            if (!query.contains("cache_size=")) s.execute("PRAGMA cache_size=-" + (writer ? WRITER_CACHE_KIB : READER_CACHE_KIB));
            // checkpoints are SqliteCheckpointer's (off the ingest thread); a store without a file
            // (in memory) has no WAL to copy
            if (writer && file(url) != null && !query.contains("wal_autocheckpoint=")) s.execute("PRAGMA wal_autocheckpoint=0");
        }
    }

    /**
     * Creates the directory of a file store when missing (SQLite creates the file, not its
     * directory; H2 did both): {@code jdbc:sqlite:/dir/store.db}, {@code jdbc:sqlite:file:/dir/store.db?…}.
     */
    static void createParent(String jdbcUrl) throws SQLException {
        Path file = file(jdbcUrl);
        Path parent = file == null ? null : file.toAbsolutePath().getParent();
        if (parent == null) return;
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new SQLException("cannot create the store's directory " + parent + ": " + e, e);
        }
    }
}
