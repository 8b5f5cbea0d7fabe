package io.hiq.consumer.store;

import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeFacts;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer's store over JDBC (SQLite file — the default —, H2 file or PostgreSQL): raw trees
 * keyed by id and per-(service, tag, minute) roll-ups.
 *
 * <p>{@link #write} stores one poll batch in one transaction: it inserts the trees not stored yet
 * and adds only their nodes to the roll-ups, so a redelivered tree changes nothing. New trees go in
 * through the store's bulk path (one-row {@code INSERT}s run as a JDBC batch in SQLite, multi-row {@code INSERT} in H2, {@code COPY} in PostgreSQL), and the
 * batch's roll-ups are merged in memory and each row written once. In SQLite (schema versions 3
 * and 4) rows are keyed by a row number and every batch's ids are looked up first through the index of
 * their hashes ({@link IdHash}) in the transaction that inserts them (should another process write
 * the same file in between, SQLite refuses the stale transaction's first write — WAL's
 * {@code SQLITE_BUSY_SNAPSHOT} — and the batch is retried). In H2 and
 * PostgreSQL the id is the primary key and ids are not looked up first: the
 * primary key refuses a stored one (the transaction rolls back), and the batch is written again
 * with its ids read first — as every batch is while redeliveries keep coming; when another
 * instance inserts the same id or
 * roll-up row concurrently (shared PostgreSQL), the unique violation rolls the transaction back and
 * it is retried, and then sees that instance's rows. Roll-up rows are locked in key order
 * ({@code SELECT … FOR UPDATE}) so concurrent writers cannot deadlock on them (SQLite has one writer
 * per file and no row locks: there the transaction holds the file's write lock).
 *
 * <p>A SQLite store has no global index on start or latency (each costs the insert of every tree):
 * a query over all services runs once per service listed in {@code hiq_service} on that service's
 * {@code (service, start_us)} or {@code (service, latency_us)} index, and the results are merged.
 *
 * <p>One connection writes (the ingest thread); readers (HTTP threads) borrow from a small pool and
 * wait for one at most {@link #readWaitMs()} ({@link StoreBusyException} after that). Connections
 * survive a database restart or a network blip: a connection found broken after an error (or
 * closed when borrowed) is closed and opened again, on the next use — the caller's retry with
 * back-off paces the attempts. Errors are thrown, never hidden; the ingest loop decides what to
 * retry ({@link StoreErrors}).
 *
 * <p>Roll-ups are kept for trees whose metric is {@code time} only (spans in nanoseconds); trees of
 * other metrics are stored and listed but not aggregated. The root node of a {@code partial} tree is
 * a placeholder for a root still open: it is not aggregated (its children are); the final tree
 * carries the root with its real end.
 *
 * <p>A SQLite file's WAL is copied into the file by {@link SqliteCheckpointer} on a thread of its
 * own, not by the committing ingest thread (which steps in only past the WAL's hard limit).
 *
 * <p>Retention: {@link #deleteTreesBefore} and {@link #deleteRollupMinuteBefore} delete old data in
 * small transactions, between the ingest thread's batches (see {@link Retention}).
 */
public final class TreeStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TreeStore.class);
    private static final int READERS = 4;
    private static final int MAX_ATTEMPTS = 5;
    /** Default of {@link #readWaitMs()}. */
    public static final long DEFAULT_READ_WAIT_MS = 5_000;
    /** The window {@link #stats(String)} covers: the last hour. */
    public static final long DEFAULT_STATS_WINDOW_MS = 3_600_000;
    /** Most points {@link #series(String, String, Long, Long)} returns: one day of minutes. */
    public static final int DEFAULT_MAX_SERIES_POINTS = 1_440;
    /** Seconds a validity check of a connection may take. */
    private static final int VALID_TIMEOUT_S = 2;

    private final String url;
    private final Dialect dialect;
    /**
     * Whether trees are keyed by row and found by the hash of their id (SQLite, migration 3; see
     * {@link IdHash}) rather than keyed by id (H2, PostgreSQL).
     */
    private final boolean rowKeyed;
    /** The ingest thread's connection (guarded by {@code this}); null once found broken, until reopened. */
    private Connection writer;
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);
    private final List<Connection> all = new ArrayList<>();
    private final AtomicLong reconnects = new AtomicLong();
    /** Whether the last batch written met ids stored already (guarded by {@code this}). */
    private boolean lastHadStored;
    /**
     * Ids of a commit whose outcome is unknown (guarded by {@code this}): the commit failed on the
     * wire (e.g. PostgreSQL restarted), so the server may have committed it. When the retry finds one
     * of them stored with the same bytes as it brings, it was this instance's commit that stored it:
     * counted as inserted, not as a redelivery. Ids only (no tree bytes kept alive), removed as they
     * are seen again, and at most {@value #MAX_UNCERTAIN}: ids whose partitions went to another
     * instance never come back, and a database that keeps failing must not grow this.
     */
    private final Set<String> uncertain = new HashSet<>();
    private static final int MAX_UNCERTAIN = 100_000;
    private volatile long readWaitMs = DEFAULT_READ_WAIT_MS;
    private volatile boolean closed;
    /** Copies the WAL into a SQLite file off the ingest thread; null for other stores and in-memory SQLite. */
    private final SqliteCheckpointer checkpointer;

    private TreeStore(String url, SqliteCheckpointer.Limits limits) throws SQLException {
        this.dialect = Dialect.of(url);
        this.rowKeyed = dialect == Dialect.SQLITE;
        // H2 closes its databases in a JVM shutdown hook of its own, racing the service's orderly
        // shutdown (last flush, last offset commit): the service closes the store itself
        this.url = dialect == Dialect.H2 && !url.toUpperCase(java.util.Locale.ROOT).contains("DB_CLOSE_ON_EXIT")
                ? url + ";DB_CLOSE_ON_EXIT=FALSE" : url;
        if (dialect == Dialect.SQLITE) SqliteFiles.createParent(url);
        this.writer = connect(true);
        Migrations.migrate(writer, dialect);
        writer.setAutoCommit(false);
        for (int i = 0; i < READERS; i++) readers.add(connect(false));
        java.nio.file.Path file = dialect == Dialect.SQLITE ? SqliteFiles.file(url) : null;
        this.checkpointer = file == null ? null : new SqliteCheckpointer(file, limits, () -> SqliteFiles.open(this.url, false));
    }

    /** Opens (creating and migrating when needed) the store at a JDBC URL. */
    public static TreeStore open(String jdbcUrl) throws SQLException {
        return new TreeStore(jdbcUrl, SqliteCheckpointer.Limits.DEFAULT);
    }

    /** {@link #open(String)} with other checkpoint limits (tests). */
    static TreeStore open(String jdbcUrl, SqliteCheckpointer.Limits limits) throws SQLException {
        return new TreeStore(jdbcUrl, limits);
    }

    /** The SQLite checkpointer (tests); null when there is none. */
    SqliteCheckpointer checkpointer() { return checkpointer; }

    private Connection connect(boolean forWriting) throws SQLException {
        Connection c = dialect == Dialect.SQLITE ? SqliteFiles.open(url, forWriting) : DriverManager.getConnection(url);
        synchronized (all) { all.add(c); }
        return c;
    }

    private void discard(Connection c) {
        if (c == null) return;
        synchronized (all) { all.remove(c); }
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("store: closing a broken connection", e);
        }
    }

    /** Whether a connection still answers; false for a closed or dead one. */
    private static boolean healthy(Connection c) {
        try {
            return c != null && !c.isClosed() && c.isValid(VALID_TIMEOUT_S);
        } catch (SQLException e) {
            return false;
        }
    }

    /** The writer, reopened when it was found broken. */
    private Connection writer() throws SQLException {
        if (closed) throw new SQLException("store closed");
        if (writer == null || writer.isClosed()) {
            discard(writer);
            writer = null;
            Connection c = connect(true);
            try {
                c.setAutoCommit(false);
            } catch (SQLException e) {
                discard(c);
                throw e;
            }
            writer = c;
            reconnects.incrementAndGet();
            LOG.info("store: write connection re-opened");
        }
        return writer;
    }

    /** After a failed write: roll back, and drop the writer when it no longer answers. */
    private void afterWriteError() {
        if (writer == null) return;
        try {
            writer.rollback();
        } catch (SQLException e) {
            LOG.debug("store: rollback failed", e);
        }
        if (!healthy(writer)) {
            discard(writer);
            writer = null;
        }
    }

    public Dialect dialect() { return dialect; }

    /**
     * Whether trees are keyed by a row number and found by their id's hash (SQLite, migration 3):
     * such a store has only per-service indexes on start and latency, so a query over all services
     * runs per service and merges.
     */
    boolean rowKeyed() { return rowKeyed; }

    /** Connections re-opened after being found broken (database restart, network). */
    public long reconnects() { return reconnects.get(); }

    /** Longest a reader waits for a free read connection before {@link StoreBusyException}. */
    public long readWaitMs() { return readWaitMs; }

    /** Sets {@link #readWaitMs()}. */
    public void readWaitMs(long ms) {
        if (ms <= 0) throw new IllegalArgumentException("read wait must be positive, not " + ms);
        this.readWaitMs = ms;
    }

    /** Whether the store is open. */
    public boolean isOpen() { return !closed; }

    /**
     * Stores a batch in one transaction (retried on a concurrent writer's conflict). Trees with an
     * id already stored, or repeated within the batch, change nothing: counted as redelivered when
     * their bytes are the same, as conflicts when they differ (the first stored version is kept).
     * On any other error the transaction is rolled back and the error thrown; a connection that no
     * longer answers is re-opened on the next call. A commit that failed on the wire may have been
     * committed all the same: when the caller's retry finds those trees stored with the same bytes,
     * they count as inserted (this instance stored them), not as redeliveries.
     */
    public synchronized WriteResult write(List<StoredTree> batch) throws SQLException {
        if (batch.isEmpty()) return new WriteResult(0, 0);
        Map<String, StoredTree> byId = new LinkedHashMap<>();
        int repeatedSame = 0;
        int repeatedOther = 0;
        for (StoredTree t : batch) {
            StoredTree first = byId.putIfAbsent(t.facts().id(), t);
            if (first != null) {
                if (first.sameBytes(t.utf8())) repeatedSame++;
                else repeatedOther++;
            }
        }
        // optimistic first (no lookup of the ids) unless the last batch met stored ids: redeliveries
        // come in runs (after a restart or a rebalance), and a first batch that meets one falls back
        boolean optimistic = !lastHadStored && !rowKeyed;
        for (int attempt = 1; ; attempt++) {
            try {
                int[] r = writeOnce(writer(), byId, optimistic);
                lastHadStored = r[1] + r[2] > 0;
                return new WriteResult(r[0], repeatedSame + r[1], repeatedOther + r[2]);
            } catch (SQLException e) {
                afterWriteError();
                if (optimistic && UNIQUE_VIOLATION.equals(StoreErrors.state(e))) {
                    // an id of the batch is stored already: nothing was written, look them up this time
                    optimistic = false;
                    lastHadStored = true;
                    attempt--;
                    continue;
                }
                if (attempt >= MAX_ATTEMPTS || !retryable(e)) throw e;
                LOG.info("store: concurrent write conflict ({}), retrying the batch", e.getSQLState());
            }
        }
    }

    /** SQLSTATE of a unique violation, in both stores. */
    private static final String UNIQUE_VIOLATION = "23505";

    /**
     * Makes every committed batch durable against a process crash; call before committing the Kafka
     * offsets of those batches. H2 writes committed changes to its file in the background (about
     * once a second), so a process killed before then would lose trees whose offsets were already
     * committed: {@code CHECKPOINT} writes them now. PostgreSQL commits are durable already, and so
     * are SQLite's against a process crash (each commit is written to the WAL file before it returns;
     * {@code synchronous=NORMAL} leaves only the fsync to the next checkpoint, see {@link SqliteFiles}).
     */
    public synchronized void flush() throws SQLException {
        if (dialect != Dialect.H2 || closed) return;
        try (Statement s = writer().createStatement()) {
            s.execute("CHECKPOINT");
        } catch (SQLException e) {
            afterWriteError();
            throw e;
        }
    }

    private static boolean retryable(SQLException e) {
        String s = StoreErrors.state(e);
        // unique violation (another instance inserted first), serialization failure, deadlock, lock timeout
        return s != null && (s.equals("23505") || s.equals("40001") || s.equals("40P01") || s.equals("HYT00") || s.startsWith("40"));
    }

    /**
     * Inserts the new trees and their roll-ups, commits; returns {inserted, redelivered, conflicts}.
     * With {@code optimistic}, the ids are not looked up first (a lookup in the id index per tree,
     * an eighth of the ingest thread's time): the unique key catches a stored one.
     */
    private int[] writeOnce(Connection writer, Map<String, StoredTree> byId, boolean optimistic) throws SQLException {
        // optimistic: every id taken as new; the primary key refuses the insert (SQLSTATE 23505,
        // the whole transaction rolled back) when one is not, and the caller comes back with false
        Map<String, byte[]> existing = optimistic ? Map.of() : rowKeyed ? existingByHash(writer, byId.keySet())
                : existing(writer, byId.keySet());
        List<StoredTree> fresh = new ArrayList<>(byId.size());
        int same = 0;
        int other = 0;
        int ours = 0;
        for (StoredTree t : byId.values()) {
            byte[] stored = existing.get(t.facts().id());
            if (stored == null) fresh.add(t);
            else if (!t.sameBytes(stored)) other++;
            else if (uncertain.contains(t.facts().id())) ours++;
            else same++;
        }
        if (!fresh.isEmpty()) {
            insertTrees(writer, fresh, System.currentTimeMillis());
            if (rowKeyed) addServices(writer, fresh);
            applyRollups(writer, rollups(fresh));
        }
        try {
            writer.commit();
        } catch (SQLException e) {
            // sent but not answered: the server may have committed it, which the retry tells apart
            if (uncertain.size() + fresh.size() > MAX_UNCERTAIN) uncertain.clear(); // the oldest doubts count as redeliveries
            for (StoredTree t : fresh) uncertain.add(t.facts().id());
            throw e;
        }
        if (!uncertain.isEmpty()) uncertain.removeAll(byId.keySet());
        if (checkpointer != null) {
            long bytes = 0;
            for (StoredTree t : fresh) bytes += t.utf8().length;
            checkpointer.afterCommit(writer, bytes);
        }
        return new int[] {fresh.size() + ours, same, other};
    }

    /** Rows per multi-row INSERT (H2): 8 parameters each, far below the driver's limit. */
    private static final int INSERT_ROWS = 100;
    private static final String TREE_COLUMNS = "id, service, root_tag, start_us, latency_us, nodes, ingested_ms, json";
    /** The columns of a row-keyed (SQLite, migration 3) store: the id's hash last. */
    private static final String ROW_KEYED_COLUMNS = TREE_COLUMNS + ", id_hash";

    /**
     * Inserts trees in bulk: PostgreSQL through {@code COPY … FROM STDIN} (one round trip, no
     * per-row statement), SQLite through one prepared one-row {@code INSERT} run as a batch, H2
     * through multi-row {@code INSERT … VALUES (…),(…)} statements of {@value #INSERT_ROWS} rows. Inside the caller's transaction either way: a unique violation (a
     * concurrent instance stored the same id) rolls it all back and the batch is retried.
     */
    private void insertTrees(Connection writer, List<StoredTree> fresh, long now) throws SQLException {
        if (dialect == Dialect.POSTGRESQL) {
            PgCopy.insertTrees(writer, "hiq_tree", TREE_COLUMNS, fresh, now);
            return;
        }
        String columns = rowKeyed ? ROW_KEYED_COLUMNS : TREE_COLUMNS;
        int cols = rowKeyed ? 9 : 8;
        if (dialect == Dialect.SQLITE) {
            // one row per statement, run as a JDBC batch: SQLite gives a multi-row INSERT a statement
            // journal (it must be able to undo the statement alone if a later row fails), which past
            // 64 KiB is a temporary file written and deleted for every statement — a quarter of the
            // ingest thread with 100-row statements (docs/PERFORMANCE.md §18). A one-row INSERT cannot
            // fail half-way, so it needs none; the transaction is still the unit of failure.
            try (PreparedStatement ps = writer.prepareStatement(insertSql(1, columns, cols))) {
                for (StoredTree t : fresh) {
                    bindTree(ps, 0, t, now, rowKeyed);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return;
        }
        int full = fresh.size() / INSERT_ROWS;
        if (full > 0) {
            try (PreparedStatement ps = writer.prepareStatement(insertSql(INSERT_ROWS, columns, cols))) {
                for (int chunk = 0; chunk < full; chunk++) {
                    for (int i = 0; i < INSERT_ROWS; i++) bindTree(ps, i * cols, fresh.get(chunk * INSERT_ROWS + i), now, rowKeyed);
                    ps.executeUpdate();
                }
            }
        }
        int rest = fresh.size() - full * INSERT_ROWS;
        if (rest > 0) {
            try (PreparedStatement ps = writer.prepareStatement(insertSql(rest, columns, cols))) {
                for (int i = 0; i < rest; i++) bindTree(ps, i * cols, fresh.get(full * INSERT_ROWS + i), now, rowKeyed);
                ps.executeUpdate();
            }
        }
    }

    private static String insertSql(int rows, String columns, int cols) {
        String row = "(?" + ",?".repeat(cols - 1) + ")";
        StringBuilder sql = new StringBuilder(60 + rows * (row.length() + 1)).append("INSERT INTO hiq_tree (")
                .append(columns).append(") VALUES ");
        for (int i = 0; i < rows; i++) sql.append(i == 0 ? "" : ",").append(row);
        return sql.toString();
    }

    /** Lists the services of new trees in {@code hiq_service} (row-keyed stores: the per-service queries go through it). */
    private static void addServices(Connection writer, List<StoredTree> fresh) throws SQLException {
        java.util.Set<String> services = new java.util.HashSet<>();
        for (StoredTree t : fresh) services.add(t.facts().service());
        try (PreparedStatement ps = writer.prepareStatement("INSERT OR IGNORE INTO hiq_service (service) VALUES (?)")) {
            for (String service : services) {
                ps.setString(1, service);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void bindTree(PreparedStatement ps, int offset, StoredTree st, long now, boolean rowKeyed) throws SQLException {
        TreeFacts t = st.facts();
        ps.setString(offset + 1, t.id());
        ps.setString(offset + 2, t.service());
        ps.setString(offset + 3, t.rootTag());
        ps.setLong(offset + 4, t.rootStart());
        ps.setLong(offset + 5, latencyUs(t));
        ps.setInt(offset + 6, t.size());
        ps.setLong(offset + 7, now);
        ps.setBytes(offset + 8, st.utf8()); // H2 and SQLite keep the JSON as its UTF-8 bytes (Dialect#jsonAsBytes)
        if (rowKeyed) ps.setLong(offset + 9, IdHash.of(t.id()));
    }

    /** The root's latency as stored: end minus start, never negative. */
    static long latencyUs(TreeFacts t) { return Math.max(0, t.rootEnd() - t.rootStart()); }

    /**
     * The stored JSON of those of {@code ids} already stored. The ids are looked up in the key's
     * index alone; the JSON is read only for the few found (redeliveries): reading every row's JSON
     * to learn that nothing matched cost an eighth of the ingest thread.
     */
    private Map<String, byte[]> existing(Connection writer, Set<String> ids) throws SQLException {
        List<String> found = new ArrayList<>();
        selectIn(writer, "SELECT id FROM hiq_tree WHERE id IN (", new ArrayList<>(ids), rs -> found.add(rs.getString(1)));
        if (found.isEmpty()) return Map.of();
        Map<String, byte[]> json = new HashMap<>();
        selectIn(writer, "SELECT id, json FROM hiq_tree WHERE id IN (", found, rs -> json.put(rs.getString(1), jsonBytes(rs, 2)));
        return json;
    }

    /**
     * Row-keyed stores (SQLite): the stored JSON of those of {@code ids} already stored, found
     * through the index of their hashes — a probe of an integer index per id, ~1 µs per tree, so it
     * is done for every batch (no optimistic insert: the id is not a unique key here). A hash shared
     * with another id returns that row too; it is told apart by the id itself.
     *
     * <p>The hashes go in as one JSON array read by SQLite's {@code json_each}: one statement and
     * one bound value per batch, where an {@code IN (?, …)} list had to be prepared anew for every
     * 500 ids (a quarter of the lookup's time) and bound value by value.
     */
    private Map<String, byte[]> existingByHash(Connection writer, Set<String> ids) throws SQLException {
        StringBuilder hashes = new StringBuilder(ids.size() * 21 + 2).append('[');
        for (String id : ids) {
            if (hashes.length() > 1) hashes.append(',');
            hashes.append(IdHash.of(id));
        }
        String array = hashes.append(']').toString();
        Map<String, byte[]> json = new HashMap<>();
        try (PreparedStatement ps = writer.prepareStatement(
                "SELECT id, json FROM hiq_tree WHERE id_hash IN (SELECT value FROM json_each(?))")) {
            ps.setString(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    if (ids.contains(id)) json.put(id, jsonBytes(rs, 2));
                }
            }
        }
        return json;
    }

    private interface RowReader { void read(ResultSet rs) throws SQLException; }

    /** Runs {@code prefix} + {@code ?, …)} over {@code list} in chunks of 500 values, each row to {@code reader}. */
    private static void selectIn(Connection c, String prefix, List<?> list, RowReader reader) throws SQLException {
        final int chunk = 500;
        for (int from = 0; from < list.size(); from += chunk) {
            List<?> part = list.subList(from, Math.min(list.size(), from + chunk));
            StringBuilder sql = new StringBuilder(prefix);
            for (int i = 0; i < part.size(); i++) sql.append(i == 0 ? "?" : ",?");
            sql.append(')');
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < part.size(); i++) ps.setObject(i + 1, part.get(i));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) reader.read(rs);
                }
            }
        }
    }

    /**
     * The roll-up contributions of some trees: every node of every {@code time} tree, except the root
     * of a partial tree (a placeholder whose end is only the emission time). Sorted by key: rows are
     * locked in that order.
     *
     * <p>Spans are first gathered per key in a hash map (a sorted map cost a tree walk of three
     * string comparisons per node), then each key's spans become its non-empty histogram buckets
     * ({@link RollupCounts}: no dense counts array of ~213 KB per key and batch).
     */
    static TreeMap<RollupKey, RollupCounts> rollups(List<StoredTree> trees) {
        Map<RollupKey, Spans> spans = new HashMap<>();
        for (StoredTree st : trees) {
            TreeFacts t = st.facts();
            if (!"time".equals(t.metric())) continue;
            // node 0 is the root: a partial tree's root is left out, its children's subtrees are not
            for (int i = t.partial() ? 1 : 0, n = t.size(); i < n; i++) addNode(spans, t.service(), t, i);
        }
        TreeMap<RollupKey, RollupCounts> acc = new TreeMap<>();
        spans.forEach((k, v) -> acc.put(k, RollupCounts.of(v.values, v.size)));
        return acc;
    }

    private static void addNode(Map<RollupKey, Spans> acc, String service, TreeFacts t, int node) {
        long minute = Math.floorDiv(t.start(node), 60_000_000L) * 60_000L;
        acc.computeIfAbsent(new RollupKey(service, t.tag(node), minute), k -> new Spans()).add(t.span(node));
    }

    /** The spans of one roll-up key in a batch, until they become its {@link RollupCounts}. */
    private static final class Spans {
        private long[] values = new long[16];
        private int size;

        void add(long span) {
            if (size == values.length) values = java.util.Arrays.copyOf(values, size * 2);
            values[size++] = span;
        }
    }

    private void applyRollups(Connection writer, TreeMap<RollupKey, RollupCounts> acc) throws SQLException {
        try (PreparedStatement select = writer.prepareStatement("SELECT cnt, sum_ns, min_ns, max_ns, hist FROM hiq_rollup"
                + " WHERE service = ? AND tag = ? AND minute_ms = ?" + (dialect.rowLocks() ? " FOR UPDATE" : ""));
             PreparedStatement update = writer.prepareStatement("UPDATE hiq_rollup SET cnt = ?, sum_ns = ?, min_ns = ?,"
                     + " max_ns = ?, hist = ? WHERE service = ? AND tag = ? AND minute_ms = ?");
             PreparedStatement insert = writer.prepareStatement("INSERT INTO hiq_rollup"
                     + " (service, tag, minute_ms, cnt, sum_ns, min_ns, max_ns, hist) VALUES (?,?,?,?,?,?,?,?)")) {
            for (Map.Entry<RollupKey, RollupCounts> e : acc.entrySet()) {
                RollupKey k = e.getKey();
                RollupCounts add = e.getValue();
                select.setString(1, k.service());
                select.setString(2, k.tag());
                select.setLong(3, k.minuteMs());
                RollupCounts current = null;
                try (ResultSet rs = select.executeQuery()) {
                    if (rs.next()) { // the batch's own aggregate takes the stored row in: no third histogram
                        current = add;
                        current.mergeEncoded(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getBytes(5));
                    }
                }
                if (current == null) {
                    insert.setString(1, k.service());
                    insert.setString(2, k.tag());
                    insert.setLong(3, k.minuteMs());
                    setAggregate(insert, 4, add);
                    insert.addBatch();
                } else {
                    setAggregate(update, 1, current);
                    update.setString(6, k.service());
                    update.setString(7, k.tag());
                    update.setLong(8, k.minuteMs());
                    update.addBatch();
                }
            }
            update.executeBatch();
            insert.executeBatch();
        }
    }


    private static void setAggregate(PreparedStatement ps, int col, RollupCounts a) throws SQLException {
        ps.setLong(col, a.count());
        ps.setLong(col + 1, a.sum());
        ps.setLong(col + 2, a.min());
        ps.setLong(col + 3, a.max());
        ps.setBytes(col + 4, a.encode());
    }

    // ---------------------------------------------------------------- reads (any thread)

    /** A unit of work on a pooled read connection. */
    @FunctionalInterface
    public interface Read<T> { T apply(Connection c) throws SQLException; }

    /**
     * Runs {@code work} on a pooled read connection, waiting at most {@link #readWaitMs()} for one
     * ({@link StoreBusyException} then). A connection found closed is re-opened first; one that
     * fails and no longer answers is replaced for the next reader.
     */
    public <T> T read(Read<T> work) throws SQLException {
        if (closed) throw new SQLException("store closed");
        long wait = readWaitMs;
        Connection c;
        try {
            c = readers.poll(wait, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted", e);
        }
        if (c == null) throw new StoreBusyException(wait);
        try {
            if (c.isClosed()) {
                Connection fresh = connect(false); // throws while the database is down: c stays in the pool
                discard(c);
                c = fresh;
                reconnects.incrementAndGet();
            }
            return work.apply(c);
        } catch (SQLException e) {
            if (!closed && !healthy(c)) {
                discard(c); // closed now: the next reader opens a new one
            }
            throw e;
        } finally {
            readers.add(c);
        }
    }

    /** Number of stored trees. */
    public long treeCount() throws SQLException {
        return read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM hiq_tree")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** A tree's JSON from a result column: PostgreSQL text, H2 and SQLite UTF-8 bytes (see {@link Dialect#jsonAsBytes}). */
    private String json(ResultSet rs, int col) throws SQLException {
        if (!dialect.jsonAsBytes()) return rs.getString(col);
        byte[] b = rs.getBytes(col);
        return b == null ? null : new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A tree's JSON from a result column as UTF-8 bytes (PostgreSQL's text encoded). */
    private byte[] jsonBytes(ResultSet rs, int col) throws SQLException {
        if (dialect.jsonAsBytes()) return rs.getBytes(col);
        String s = rs.getString(col);
        return s == null ? null : s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The stored JSON of a tree, or null. */
    public String treeJson(String id) throws SQLException {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(rowKeyed ? "SELECT json FROM hiq_tree WHERE id_hash = ? AND id = ?"
                    : "SELECT json FROM hiq_tree WHERE id = ?")) {
                if (rowKeyed) ps.setLong(1, IdHash.of(id));
                ps.setString(rowKeyed ? 2 : 1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? json(rs, 1) : null;
                }
            }
        });
    }

    /**
     * A page of trees matching {@code q} and the total that match. The thread and the number of
     * spans that threw are read from the page's own JSON (at most {@code limit} trees, bounded by the
     * API), so the schema needs no column for them.
     */
    public TreePage trees(TreeQuery q) throws SQLException {
        long minUs = (long) Math.ceil(Math.max(0, q.minLatencyMs()) * 1000.0);
        long maxUs = q.maxLatencyMs() >= 0 ? (long) Math.floor(q.maxLatencyMs() * 1000.0) : -1;
        // a row-keyed store has no global latency nor start index (migrations 3 and 4): the slowest and
        // the newest trees of every service, and any count by latency, are those of each service (its
        // (service, latency) and (service, start) indexes) merged
        boolean perService = rowKeyed && q.service() == null;
        String order = q.slowest() ? " ORDER BY latency_us DESC, id" : " ORDER BY start_us DESC, id";
        // ties by id in SQLite's order (BINARY: UTF-8 bytes, i.e. code points), in which each
        // service's LIMIT kept its rows, not String's UTF-16 order (they differ past U+E000)
        Comparator<PageRow> merged = q.slowest()
                ? Comparator.comparingLong(PageRow::latencyUs).reversed().thenComparing(PageRow::id, TreeStore::compareCodePoints)
                : Comparator.comparingLong(PageRow::startUs).reversed().thenComparing(PageRow::id, TreeStore::compareCodePoints);
        return read(c -> {
            List<String> services = perService ? services(c) : java.util.Collections.singletonList(q.service());
            long total = 0;
            List<PageRow> page = new ArrayList<>();
            // a latency bound is counted per service (its latency index); without one, one count of
            // every service together (unfiltered: SQLite counts the smallest index, the id hashes)
            boolean countEach = perService && (minUs > 0 || maxUs >= 0);
            if (!countEach) total = count(c, condition(minUs, maxUs, q.service(), q.rootTag()));
            for (String service : services) {
                Condition cond = condition(minUs, maxUs, service, q.rootTag());
                if (countEach) total += count(c, cond);
                try (PreparedStatement ps = c.prepareStatement("SELECT id, service, root_tag, start_us, latency_us, json FROM hiq_tree"
                        + cond.sql() + order + " LIMIT ?")) {
                    for (int i = 0; i < cond.args().size(); i++) ps.setObject(i + 1, cond.args().get(i));
                    ps.setInt(cond.args().size() + 1, q.limit());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            page.add(new PageRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5), json(rs, 6)));
                        }
                    }
                }
            }
            if (services.size() > 1) {
                page.sort(merged);
                if (page.size() > q.limit()) page = page.subList(0, q.limit());
            }
            List<TreeSummary> rows = new ArrayList<>(page.size());
            for (PageRow r : page) {
                String thread = "";
                int errors = 0;
                try {
                    HiQTree t = io.hiq.tree.TreeCodec.decode(r.json());
                    thread = t.thread() == null ? "" : t.thread();
                    errors = errors(t.root());
                } catch (io.hiq.tree.TreeFormatException | RuntimeException e) {
                    // stored trees were validated on the way in; the row is still listed
                }
                rows.add(new TreeSummary(r.id(), r.service(), r.rootTag(), r.startUs(), r.latencyUs() / 1000.0, thread, errors));
            }
            return new TreePage(total, rows);
        });
    }

    /** A WHERE clause (empty when not filtering: an unfiltered COUNT(*) is answered from an index) and its arguments. */
    private record Condition(String sql, List<Object> args) {}

    private static Condition condition(long minUs, long maxUs, String service, String rootTag) {
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder();
        if (minUs > 0) { where.append(" AND latency_us >= ?"); args.add(minUs); }
        if (maxUs >= 0) { where.append(" AND latency_us <= ?"); args.add(maxUs); }
        if (service != null) { where.append(" AND service = ?"); args.add(service); }
        if (rootTag != null) { where.append(" AND root_tag = ?"); args.add(rootTag); }
        return new Condition(where.length() == 0 ? "" : " WHERE" + where.substring(4), args);
    }

    private static long count(Connection c, Condition cond) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM hiq_tree" + cond.sql())) {
            for (int i = 0; i < cond.args().size(); i++) ps.setObject(i + 1, cond.args().get(i));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Compares two strings by code point: the order of their UTF-8 bytes, which is SQLite's BINARY
     * collation (String.compareTo compares UTF-16 units: a supplementary character sorts before
     * U+E000..U+FFFF there, after them in SQLite).
     */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) return Integer.compare(x, y);
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** A row of a page of {@link #trees}, before its JSON is read for the thread and errors. */
    private record PageRow(String id, String service, String rootTag, long startUs, long latencyUs, String json) {}

    /**
     * The services a row-keyed store holds (or held: a service whose trees were all deleted stays
     * listed), in name order. Every query over all services of a row-keyed store goes through this
     * list: such a store has only per-service indexes on start and latency (migrations 3 and 4).
     */
    static List<String> services(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT service FROM hiq_service ORDER BY service")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    private static int errors(HiQNode n) {
        int e = n.hasExtra() && n.extra().containsKey("exception") ? 1 : 0;
        for (HiQNode c : n.children()) e += errors(c);
        return e;
    }

    /** Every stored tree's JSON, in id order, streamed to {@code sink} (recounts, exports). */
    public void forEachTreeJson(java.util.function.Consumer<String> sink) throws SQLException {
        read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT json FROM hiq_tree ORDER BY id")) {
                while (rs.next()) sink.accept(json(rs, 1));
            }
            return null;
        });
    }

    /** Per-tag statistics over the last {@link #DEFAULT_STATS_WINDOW_MS} (the default window of {@code /api/stats}). */
    public List<TagStats> stats(String service) throws SQLException {
        long now = System.currentTimeMillis();
        return stats(service, now - DEFAULT_STATS_WINDOW_MS, null);
    }

    /**
     * Per-tag statistics over a window; {@code service} null = every service (merged by tag),
     * {@code fromMs}/{@code toMs} null = unbounded. A minute counts when it starts in
     * [floor(from to the minute), to).
     */
    public List<TagStats> stats(String service, Long fromMs, Long toMs) throws SQLException {
        Map<String, Aggregate> byTag = new TreeMap<>();
        scanRollups(service, null, fromMs, toMs, k -> byTag.computeIfAbsent(k.tag(), t -> new Aggregate()));
        List<TagStats> out = new ArrayList<>(byTag.size());
        byTag.forEach((tag, a) -> out.add(TagStats.of(service, tag, a)));
        return out;
    }

    /**
     * One (service, tag)'s statistics over a window ({@code fromMs}/{@code toMs} null = unbounded):
     * reads only that pair's roll-up rows (a range of the roll-ups' primary key), zeros when it has none.
     */
    public TagStats stats(String service, String tag, Long fromMs, Long toMs) throws SQLException {
        Aggregate a = new Aggregate();
        scanRollups(service, tag, fromMs, toMs, k -> a);
        return TagStats.of(service, tag, a);
    }

    /**
     * Per-(service, tag) statistics for {@code /metrics}: count and sum over all data (summed by the
     * database, no histogram read), percentiles over the minutes starting at or after
     * {@code quantilesFromMs} only (NaN when that window is empty) — the sliding-window quantiles of a
     * Prometheus summary, and a scrape that costs the same however much history is stored.
     */
    public List<TagStats> statsByServiceAndTag(long quantilesFromMs) throws SQLException {
        Map<List<String>, Aggregate> recent = new TreeMap<>(TreeStore::compareKeys);
        scanRollups(null, null, quantilesFromMs, null, k -> recent.computeIfAbsent(List.of(k.service(), k.tag()), x -> new Aggregate()));
        Map<List<String>, long[]> totals = new TreeMap<>(TreeStore::compareKeys);
        read(c -> {
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT service, tag, SUM(cnt), SUM(sum_ns), MAX(max_ns) FROM hiq_rollup GROUP BY service, tag")) {
                // SUM over BIGINT is NUMERIC in both stores: clamp instead of failing on an overflow
                while (rs.next()) totals.put(List.of(rs.getString(1), rs.getString(2)),
                        new long[] {clamp(rs.getBigDecimal(3)), clamp(rs.getBigDecimal(4)), rs.getLong(5)});
            }
            return null;
        });
        List<TagStats> out = new ArrayList<>(totals.size());
        totals.forEach((k, t) -> {
            Aggregate r = recent.get(k);
            boolean any = r != null && r.count() > 0;
            out.add(new TagStats(k.get(0), k.get(1), t[0], t[1] / 1e6, t[0] == 0 ? 0 : t[1] / 1e6 / t[0],
                    any ? r.percentile(50) / 1e6 : Double.NaN, any ? r.percentile(95) / 1e6 : Double.NaN,
                    any ? r.percentile(99) / 1e6 : Double.NaN, t[2] / 1e6));
        });
        return out;
    }

    private static long clamp(java.math.BigDecimal v) {
        if (v == null) return 0;
        if (v.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) >= 0) return Long.MAX_VALUE;
        return Math.max(0, v.longValue());
    }

    private static int compareKeys(List<String> a, List<String> b) {
        int c = a.get(0).compareTo(b.get(0));
        return c != 0 ? c : a.get(1).compareTo(b.get(1));
    }

    /**
     * One tag's latency per minute over a window (every service when {@code service} is null), at
     * most {@link #DEFAULT_MAX_SERIES_POINTS} points (see the overload).
     */
    public List<SeriesPoint> series(String service, String tag, Long fromMs, Long toMs) throws SQLException {
        return series(service, tag, fromMs, toMs, DEFAULT_MAX_SERIES_POINTS);
    }

    /**
     * One tag's latency over a window in at most {@code maxPoints} points: per minute when the window
     * (or, unbounded, the data) spans at most {@code maxPoints} minutes; otherwise consecutive
     * minutes are merged into buckets of {@code ceil(minutes / maxPoints)} minutes, each point at its
     * bucket's first minute (counts exact, percentiles of the merged histograms).
     */
    public List<SeriesPoint> series(String service, String tag, Long fromMs, Long toMs, int maxPoints) throws SQLException {
        if (maxPoints < 1) throw new IllegalArgumentException("maxPoints must be at least 1, not " + maxPoints);
        Map<Long, Aggregate> byMinute = new TreeMap<>();
        scanRollups(service, tag, fromMs, toMs, k -> byMinute.computeIfAbsent(k.minuteMs(), m -> new Aggregate()));
        if (byMinute.isEmpty()) return List.of();
        TreeMap<Long, Aggregate> sorted = (TreeMap<Long, Aggregate>) byMinute;
        long first = fromMs != null ? Math.floorDiv(fromMs, 60_000L) * 60_000L : sorted.firstKey();
        long last = toMs != null ? Math.max(first, toMs - 1) : sorted.lastKey();
        long minutes = Math.max(1, (last - first) / 60_000L + 1);
        long width = Math.max(1, (minutes + maxPoints - 1) / maxPoints) * 60_000L;
        Map<Long, Aggregate> buckets = sorted;
        if (width > 60_000L) {
            buckets = new TreeMap<>();
            for (Map.Entry<Long, Aggregate> e : sorted.entrySet()) {
                long b = first + Math.floorDiv(e.getKey() - first, width) * width;
                buckets.computeIfAbsent(b, x -> new Aggregate()).merge(e.getValue());
            }
        }
        List<SeriesPoint> out = new ArrayList<>(buckets.size());
        buckets.forEach((m, a) -> out.add(new SeriesPoint(m, a.count(), a.percentile(50) / 1e6,
                a.percentile(95) / 1e6, a.percentile(99) / 1e6)));
        return out;
    }

    // ---------------------------------------------------------------- retention (between batches)

    /** A row-keyed store's retention statement: one service's oldest trees through its (service, start) index. */
    static final String DELETE_OLDEST_OF_SERVICE = "DELETE FROM hiq_tree WHERE seq IN (SELECT seq FROM hiq_tree"
            + " WHERE service = ? AND start_us < ? ORDER BY start_us LIMIT ?)";

    /**
     * Deletes at most {@code limit} trees whose root started before {@code cutoffUs} (epoch µs), in
     * one short transaction; returns how many were deleted (0: nothing older is left; fewer than
     * {@code limit}: none older is left either). The oldest go first: of all services (start index)
     * in H2 and PostgreSQL; in a row-keyed store, which has no global start index, the oldest of one
     * service after the other (its (service, start) index), the services in name order, until
     * {@code limit} — every tree before the cutoff goes all the same, only the order across
     * services differs.
     */
    public synchronized int deleteTreesBefore(long cutoffUs, int limit) throws SQLException {
        Connection w = writer();
        try {
            int n = 0;
            if (rowKeyed) {
                List<String> services = services(w);
                try (PreparedStatement ps = w.prepareStatement(DELETE_OLDEST_OF_SERVICE)) {
                    for (int i = 0; i < services.size() && n < limit; i++) {
                        ps.setString(1, services.get(i));
                        ps.setLong(2, cutoffUs);
                        ps.setInt(3, limit - n);
                        n += ps.executeUpdate();
                    }
                }
            } else {
                try (PreparedStatement ps = w.prepareStatement(
                        "DELETE FROM hiq_tree WHERE id IN (SELECT id FROM hiq_tree WHERE start_us < ? ORDER BY start_us LIMIT ?)")) {
                    ps.setLong(1, cutoffUs);
                    ps.setInt(2, limit);
                    n = ps.executeUpdate();
                }
            }
            w.commit();
            if (checkpointer != null) checkpointer.afterCommit(w, 0);
            return n;
        } catch (SQLException e) {
            afterWriteError();
            throw e;
        }
    }

    /**
     * Deletes the roll-up rows of the oldest minute that starts before {@code cutoffMs}, in one short
     * transaction (one minute holds one row per service and tag); returns the rows deleted (0:
     * nothing older is left).
     */
    public synchronized int deleteRollupMinuteBefore(long cutoffMs) throws SQLException {
        Connection w = writer();
        try {
            long minute;
            try (PreparedStatement ps = w.prepareStatement("SELECT MIN(minute_ms) FROM hiq_rollup WHERE minute_ms < ?")) {
                ps.setLong(1, cutoffMs);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    minute = rs.getLong(1);
                    if (rs.wasNull()) {
                        w.commit();
                        return 0;
                    }
                }
            }
            try (PreparedStatement ps = w.prepareStatement("DELETE FROM hiq_rollup WHERE minute_ms = ?")) {
                ps.setLong(1, minute);
                int n = ps.executeUpdate();
                w.commit();
                if (checkpointer != null) checkpointer.afterCommit(w, 0);
                return n;
            }
        } catch (SQLException e) {
            afterWriteError();
            throw e;
        }
    }

    /** Receives the aggregate a stored row must be merged into. */
    private interface RowSink { Aggregate target(RollupKey key); }

    private void scanRollups(String service, String tag, Long fromMs, Long toMs, RowSink sink) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT service, tag, minute_ms, cnt, sum_ns, min_ns, max_ns, hist FROM hiq_rollup WHERE 1=1");
        List<Object> args = new ArrayList<>();
        if (service != null) { sql.append(" AND service = ?"); args.add(service); }
        if (tag != null) { sql.append(" AND tag = ?"); args.add(tag); }
        if (fromMs != null) { sql.append(" AND minute_ms >= ?"); args.add(Math.floorDiv(fromMs, 60_000L) * 60_000L); }
        if (toMs != null) { sql.append(" AND minute_ms < ?"); args.add(toMs); }
        read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) ps.setObject(i + 1, args.get(i));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sink.target(new RollupKey(rs.getString(1), rs.getString(2), rs.getLong(3)))
                                .mergeEncoded(rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getBytes(8));
                    }
                }
            }
            return null;
        });
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        // first: its last checkpoint done, the last connection's close copies the rest of the WAL
        if (checkpointer != null) checkpointer.close();
        synchronized (this) { // waits for a write in progress
            synchronized (all) {
                for (Connection c : all) {
                    try {
                        c.close();
                    } catch (SQLException e) {
                        LOG.debug("store: closing a connection", e);
                    }
                }
            }
        }
    }
}
