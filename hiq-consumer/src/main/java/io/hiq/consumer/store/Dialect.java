package io.hiq.consumer.store;

import java.util.Locale;

/**
 * The few places where the SQL of the supported stores differs: column types for large text and
 * bytes, whether a committed transaction must be pushed to the file explicitly, row locks.
 */
public enum Dialect {
    /**
     * H2 in file mode: the default, embedded store. Trees go in as their UTF-8 bytes, a VARBINARY of
     * up to 1 000 000 bytes (migration 2; at first a VARCHAR): H2 copies bytes into its pages as they
     * are, but encodes a string character by character each time a page is written (and hashes it
     * when bound), a quarter of its page-writer thread at full ingest. Never a CLOB/BLOB: H2 keeps
     * those over 256 bytes in separate LOB storage, which made ingestion several times slower.
     */
    H2("CHARACTER VARYING(1000000)", "VARBINARY(1000000)"),
    /** PostgreSQL: the store several instances share. */
    POSTGRESQL("TEXT", "BYTEA"),
    /**
     * SQLite in WAL mode: the default, embedded store since issue 15 (a third of H2's CPU per
     * stored tree, see docs/PERFORMANCE.md §18). Trees go in as their UTF-8 bytes (a BLOB), like
     * in H2. One writer at a time per file: readers never block it (WAL), a second process
     * writing to the same file waits for the lock (busy timeout) — for scale-out, one file per
     * instance or PostgreSQL.
     */
    SQLITE("BLOB", "BLOB");

    private final String textType;
    private final String bytesType;

    Dialect(String textType, String bytesType) {
        this.textType = textType;
        this.bytesType = bytesType;
    }

    /** Column type for a tree's JSON (up to {@link io.hiq.tree.TreeLimits#MAX_ENCODED_BYTES}) as first created (migration 1). */
    public String textType() { return textType; }

    /** Column type for a serialized histogram. */
    public String bytesType() { return bytesType; }

    /** Whether a tree's JSON is kept as its UTF-8 bytes (read back with {@code getBytes}) rather than as text. */
    public boolean jsonAsBytes() { return this != POSTGRESQL; }

    /** Whether {@code SELECT … FOR UPDATE} exists (SQLite has a single writer and no row locks). */
    public boolean rowLocks() { return this != SQLITE; }

    /** The dialect of a JDBC URL; an unsupported URL is a clear error naming it (credentials masked). */
    public static Dialect of(String jdbcUrl) {
        String u = jdbcUrl.toLowerCase(Locale.ROOT);
        if (u.startsWith("jdbc:h2:")) return H2;
        if (u.startsWith("jdbc:postgresql:")) return POSTGRESQL;
        if (u.startsWith("jdbc:sqlite:")) return SQLITE;
        // the URL may carry a password (user-info or a password parameter): never echo it
        throw new IllegalArgumentException("--store: unsupported JDBC URL '" + Redact.text(jdbcUrl)
                + "' (expected jdbc:sqlite:…, jdbc:h2:… or jdbc:postgresql://…)");
    }
}
