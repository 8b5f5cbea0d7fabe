package io.hiq.consumer.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a SQLite store's WAL into its database file on a thread of its own
 * ({@value #THREAD_NAME}, with its own connection), so that the ingest thread only appends to the
 * WAL: with SQLite's automatic checkpoint the committing thread itself wrote every page a second
 * time (and synced both files) every 1 000 pages, about half of the store write (docs/PERFORMANCE.md
 * §18). The write connection runs with {@code wal_autocheckpoint=0} ({@link SqliteFiles}).
 *
 * <p>The WAL stays bounded two ways:
 * <ol>
 *   <li>after {@link Limits#passiveAfterBytes} of tree JSON were committed (or after a commit and
 *       {@link Limits#idleMs} without another), a {@code PASSIVE} checkpoint copies what it can
 *       without blocking anyone; when it copied the whole WAL before the writer's next transaction,
 *       SQLite starts the WAL over at that transaction;
 *   <li>a writer that keeps appending while the copies run (or a reader that keeps an old snapshot
 *       open, so that they stop short) never lets the WAL start over: once the WAL file exceeds
 *       {@link Limits#hardBytes}, the writer itself runs a {@code TRUNCATE} checkpoint after its
 *       commit ({@link #afterCommit}) — copying only what the background copies have not, and
 *       waiting for such readers up to the busy timeout: ingestion slows down rather than the disk
 *       filling up. (A {@code RESTART} from the checkpointer's thread would take the write lock, and
 *       the writer, whose transaction reads first, gets {@code SQLITE_BUSY} at once instead of
 *       waiting when it cannot upgrade to writing.)
 * </ol>
 *
 * <p>Durability is SQLite's own: a commit is in the WAL file before it returns (a killed process
 * loses nothing, {@code CheckpointKillTest}); a checkpoint syncs the WAL before copying it and the
 * database file after ({@code synchronous=NORMAL}), whichever connection runs it; a checkpoint cut
 * short by a crash is simply redone from the WAL at the next open.
 */
final class SqliteCheckpointer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteCheckpointer.class);
    /** Name of the checkpointing thread. */
    static final String THREAD_NAME = "hiq-sqlite-checkpoint";

    /**
     * When to checkpoint.
     *
     * @param passiveAfterBytes tree JSON committed since the last checkpoint that starts a passive one
     * @param idleMs            after a commit, time without another after which a passive checkpoint runs anyway
     * @param hardBytes         WAL file size from which the writer truncates the WAL itself
     */
    record Limits(long passiveAfterBytes, long idleMs, long hardBytes) {
        /**
         * The service's: a passive checkpoint per 8 MiB of JSON (~6 000 trees, about the 16 MiB of WAL
         * SQLite's own automatic checkpoint waited for with 16 KiB pages), the writer stepping in
         * past 128 MiB of WAL.
         */
        static final Limits DEFAULT = new Limits(8L << 20, 1_000, 128L << 20);

        Limits {
            if (passiveAfterBytes < 1 || idleMs < 1 || hardBytes < 1) {
                throw new IllegalArgumentException("checkpoint limits: " + passiveAfterBytes + ", " + idleMs + " ms, " + hardBytes);
            }
        }
    }

    /** Opens the checkpointer's connection (configured like a reader). */
    @FunctionalInterface
    interface Connector { Connection open() throws SQLException; }

    private final Path wal;
    private final Limits limits;
    private final Connector connector;
    private final Thread thread;
    /** JSON bytes committed since the last checkpoint started (0: nothing to copy). */
    private final AtomicLong pending = new AtomicLong();
    /** When the last commit was reported (System.nanoTime). */
    private volatile long lastCommitNs;
    private final AtomicLong passive = new AtomicLong();
    private final AtomicLong writerTruncates = new AtomicLong();
    private volatile boolean closed;
    /**
     * Held while a checkpoint of this store runs: SQLite refuses a second checkpoint at once
     * ({@code SQLITE_BUSY}, no busy handler for the checkpoint lock), so the writer's truncation
     * waits here for the background one to finish.
     */
    private final ReentrantLock running = new ReentrantLock();
    /** The thread's connection (only the thread uses it; closed when the thread ends). */
    private Connection conn;

    /**
     * Starts checkpointing the WAL of the database file {@code db} ({@code db}-wal).
     */
    SqliteCheckpointer(Path db, Limits limits, Connector connector) {
        this.wal = db.resolveSibling(db.getFileName() + "-wal");
        this.limits = limits;
        this.connector = connector;
        this.thread = new Thread(this::run, THREAD_NAME);
        thread.setDaemon(true); // never holds the JVM up; close() stops it in an orderly shutdown
        thread.start();
    }

    /**
     * Called by the writer after each commit, with the JSON bytes it committed (0 for a delete):
     * wakes the checkpointer when enough was committed, and truncates the WAL itself when it grew
     * past {@link Limits#hardBytes}. Never throws: the commit is done, a failed checkpoint is only
     * logged (the next commit tries again).
     */
    void afterCommit(Connection writer, long jsonBytes) {
        lastCommitNs = System.nanoTime();
        if (pending.addAndGet(Math.max(1, jsonBytes)) >= limits.passiveAfterBytes()) LockSupport.unpark(thread);
        long size = walFileBytes();
        if (size < limits.hardBytes()) return;
        // the writer kept appending while the copies ran, or a reader pins an old snapshot: copy the
        // rest and start the WAL over here, waiting for such readers
        running.lock();
        try {
            boolean auto = writer.getAutoCommit();
            writer.setAutoCommit(true); // a checkpoint cannot run inside the writer's open transaction
            try {
                long[] r = checkpoint(writer, "TRUNCATE");
                writerTruncates.incrementAndGet();
                if (r[0] != 0) LOG.warn("store: WAL at {} bytes and still in use (a reader's snapshot, another process's"
                        + " checkpoint) after {} ms; will retry after the next commit", size, SqliteFiles.BUSY_TIMEOUT_MS);
            } finally {
                writer.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            LOG.warn("store: truncating a WAL of {} bytes failed: {}", size, e.toString());
        } finally {
            running.unlock();
        }
    }

    /** Size of the WAL file now, 0 when there is none. */
    long walFileBytes() {
        try {
            return Files.size(wal);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            return 0; // unreadable: SQLite itself will fail loudly on the next write
        }
    }

    /** Passive checkpoints run so far. */
    long passiveCheckpoints() { return passive.get(); }

    /** Truncating checkpoints the writer had to run itself. */
    long writerTruncates() { return writerTruncates.get(); }

    private void run() {
        while (!closed) {
            long p = pending.get();
            boolean idle = p > 0 && System.nanoTime() - lastCommitNs >= TimeUnit.MILLISECONDS.toNanos(limits.idleMs());
            if (p < limits.passiveAfterBytes() && !idle) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(p > 0 ? limits.idleMs() : Math.max(limits.idleMs(), 1_000)));
                continue;
            }
            pending.addAndGet(-p); // what this checkpoint covers; commits meanwhile count for the next
            try {
                if (conn == null) conn = connector.open();
                running.lock();
                try {
                    checkpoint(conn, "PASSIVE");
                } finally {
                    running.unlock();
                }
                passive.incrementAndGet();
            } catch (SQLException e) {
                if (closed) break;
                LOG.warn("store: background checkpoint failed (retried after the next commits): {}", e.toString());
                closeConnection();
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(limits.idleMs()));
            }
        }
        closeConnection();
    }

    /** Runs a checkpoint; returns SQLite's {busy, frames in the WAL, frames copied}. */
    private static long[] checkpoint(Connection c, String mode) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
        }
    }

    private void closeConnection() {
        if (conn == null) return;
        try {
            conn.close();
        } catch (SQLException e) {
            LOG.debug("store: closing the checkpointer's connection", e);
        }
        conn = null;
    }

    /** Stops the thread (a checkpoint under way finishes first) and closes its connection. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(SqliteFiles.BUSY_TIMEOUT_MS * 3L); // a checkpoint may wait that long for readers
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) LOG.warn("store: the checkpointer did not stop; its connection closes with the process");
        LOG.info("store: {} background checkpoints, {} by the writer (WAL past {} bytes)", passive.get(), writerTruncates.get(),
                limits.hardBytes());
    }
}
