package io.hiq.consumer.store;

import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer's store over JDBC (H2 file or PostgreSQL): raw trees keyed by id and per-(service,
 * tag, minute) roll-ups.
 *
 * <p>{@link #write} stores one poll batch in one transaction: it inserts the trees not stored yet
 * and adds only their nodes to the roll-ups, so a redelivered tree changes nothing. Portable SQL only:
 * existing ids are read first, then new ones inserted; when another instance inserts the same id or
 * roll-up row concurrently (shared PostgreSQL), the unique violation rolls the transaction back and
 * it is retried, and then sees that instance's rows. Roll-up rows are locked in key order
 * ({@code SELECT … FOR UPDATE}) so concurrent writers cannot deadlock on them.
 *
 * <p>One connection writes (the ingest thread); readers (HTTP threads) borrow from a small pool.
 * Roll-ups are kept for trees whose metric is {@code time} only (spans in nanoseconds); trees of
 * other metrics are stored and listed but not aggregated.
 */
public final class TreeStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TreeStore.class);
    private static final int READERS = 4;
    private static final int MAX_ATTEMPTS = 5;

    private final String url;
    private final Dialect dialect;
    private final Connection writer;
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);
    private final List<Connection> all = new ArrayList<>();
    private volatile boolean closed;

    private TreeStore(String url) throws SQLException {
        this.dialect = Dialect.of(url);
        // H2 closes its databases in a JVM shutdown hook of its own, racing the service's orderly
        // shutdown (last flush, last offset commit): the service closes the store itself
        this.url = dialect == Dialect.H2 && !url.toUpperCase(java.util.Locale.ROOT).contains("DB_CLOSE_ON_EXIT")
                ? url + ";DB_CLOSE_ON_EXIT=FALSE" : url;
        this.writer = connect();
        Migrations.migrate(writer, dialect);
        writer.setAutoCommit(false);
        for (int i = 0; i < READERS; i++) readers.add(connect());
    }

    /** Opens (creating and migrating when needed) the store at a JDBC URL. */
    public static TreeStore open(String jdbcUrl) throws SQLException {
        return new TreeStore(jdbcUrl);
    }

    private Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(url);
        synchronized (all) { all.add(c); }
        return c;
    }

    public Dialect dialect() { return dialect; }

    /** Whether the store is open. */
    public boolean isOpen() { return !closed; }

    /**
     * Stores a batch in one transaction (retried on a concurrent writer's conflict). Trees with an
     * id already stored, or repeated within the batch, are counted as duplicates and change nothing.
     */
    public synchronized WriteResult write(List<StoredTree> batch) throws SQLException {
        if (batch.isEmpty()) return new WriteResult(0, 0);
        Map<String, StoredTree> byId = new LinkedHashMap<>();
        for (StoredTree t : batch) byId.putIfAbsent(t.tree().id(), t);
        int repeatedInBatch = batch.size() - byId.size();
        for (int attempt = 1; ; attempt++) {
            try {
                int inserted = writeOnce(byId);
                return new WriteResult(inserted, repeatedInBatch + byId.size() - inserted);
            } catch (SQLException e) {
                writer.rollback();
                if (attempt >= MAX_ATTEMPTS || !retryable(e)) throw e;
                LOG.info("store: concurrent write conflict ({}), retrying the batch", e.getSQLState());
            }
        }
    }

    /**
     * Makes every committed batch durable against a process crash; call before committing the Kafka
     * offsets of those batches. H2 writes committed changes to its file in the background (about
     * once a second), so a process killed before then would lose trees whose offsets were already
     * committed: {@code CHECKPOINT} writes them now. PostgreSQL commits are durable already.
     */
    public synchronized void flush() throws SQLException {
        if (dialect != Dialect.H2 || closed) return;
        try (Statement s = writer.createStatement()) {
            s.execute("CHECKPOINT");
        }
    }

    private static boolean retryable(SQLException e) {
        String s = e.getSQLState();
        // unique violation (another instance inserted first), serialization failure, deadlock, lock timeout
        return s != null && (s.equals("23505") || s.equals("40001") || s.equals("40P01") || s.equals("HYT00") || s.startsWith("40"));
    }

    private int writeOnce(Map<String, StoredTree> byId) throws SQLException {
        Set<String> existing = existingIds(byId.keySet());
        List<StoredTree> fresh = new ArrayList<>(byId.size());
        for (StoredTree t : byId.values()) if (!existing.contains(t.tree().id())) fresh.add(t);
        if (!fresh.isEmpty()) {
            long now = System.currentTimeMillis();
            try (PreparedStatement ps = writer.prepareStatement("INSERT INTO hiq_tree"
                    + " (id, service, root_tag, start_us, latency_us, nodes, ingested_ms, json) VALUES (?,?,?,?,?,?,?,?)")) {
                for (StoredTree st : fresh) {
                    HiQTree t = st.tree();
                    ps.setString(1, t.id());
                    ps.setString(2, t.service());
                    ps.setString(3, t.root().name());
                    ps.setLong(4, t.root().start());
                    ps.setLong(5, Math.max(0, t.root().end() - t.root().start()));
                    ps.setInt(6, t.root().size());
                    ps.setLong(7, now);
                    ps.setString(8, st.json());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            applyRollups(rollups(fresh));
        }
        writer.commit();
        return fresh.size();
    }

    private Set<String> existingIds(Set<String> ids) throws SQLException {
        Set<String> found = new HashSet<>();
        List<String> list = new ArrayList<>(ids);
        final int chunk = 500;
        for (int from = 0; from < list.size(); from += chunk) {
            List<String> part = list.subList(from, Math.min(list.size(), from + chunk));
            StringBuilder sql = new StringBuilder("SELECT id FROM hiq_tree WHERE id IN (");
            for (int i = 0; i < part.size(); i++) sql.append(i == 0 ? "?" : ",?");
            sql.append(')');
            try (PreparedStatement ps = writer.prepareStatement(sql.toString())) {
                for (int i = 0; i < part.size(); i++) ps.setString(i + 1, part.get(i));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) found.add(rs.getString(1));
                }
            }
        }
        return found;
    }

    /** The roll-up contributions of some trees: every node of every {@code time} tree. */
    static TreeMap<RollupKey, Aggregate> rollups(List<StoredTree> trees) {
        TreeMap<RollupKey, Aggregate> acc = new TreeMap<>();
        for (StoredTree st : trees) {
            HiQTree t = st.tree();
            if (!"time".equals(t.metric())) continue;
            addNode(acc, t.service(), t.root());
        }
        return acc;
    }

    private static void addNode(Map<RollupKey, Aggregate> acc, String service, HiQNode n) {
        long minute = Math.floorDiv(n.start(), 60_000_000L) * 60_000L;
        acc.computeIfAbsent(new RollupKey(service, n.name(), minute), k -> new Aggregate()).record(n.span());
        for (HiQNode c : n.children()) addNode(acc, service, c);
    }

    private void applyRollups(TreeMap<RollupKey, Aggregate> acc) throws SQLException {
        try (PreparedStatement select = writer.prepareStatement("SELECT cnt, sum_ns, min_ns, max_ns, hist FROM hiq_rollup"
                + " WHERE service = ? AND tag = ? AND minute_ms = ? FOR UPDATE");
             PreparedStatement update = writer.prepareStatement("UPDATE hiq_rollup SET cnt = ?, sum_ns = ?, min_ns = ?,"
                     + " max_ns = ?, hist = ? WHERE service = ? AND tag = ? AND minute_ms = ?");
             PreparedStatement insert = writer.prepareStatement("INSERT INTO hiq_rollup"
                     + " (service, tag, minute_ms, cnt, sum_ns, min_ns, max_ns, hist) VALUES (?,?,?,?,?,?,?,?)")) {
            for (Map.Entry<RollupKey, Aggregate> e : acc.entrySet()) {
                RollupKey k = e.getKey();
                Aggregate add = e.getValue();
                select.setString(1, k.service());
                select.setString(2, k.tag());
                select.setLong(3, k.minuteMs());
                Aggregate current = null;
                try (ResultSet rs = select.executeQuery()) {
                    if (rs.next()) {
                        current = new Aggregate();
                        current.merge(add);
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


    private static void setAggregate(PreparedStatement ps, int col, Aggregate a) throws SQLException {
        ps.setLong(col, a.count());
        ps.setLong(col + 1, a.sum());
        ps.setLong(col + 2, a.min());
        ps.setLong(col + 3, a.max());
        ps.setBytes(col + 4, Histograms.encode(a.histogram()));
    }

    // ---------------------------------------------------------------- reads (any thread)

    /** A unit of work on a pooled read connection. */
    @FunctionalInterface
    public interface Read<T> { T apply(Connection c) throws SQLException; }

    /** Runs {@code work} on a pooled read connection. */
    public <T> T read(Read<T> work) throws SQLException {
        if (closed) throw new SQLException("store closed");
        Connection c;
        try {
            c = readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted", e);
        }
        try {
            return work.apply(c);
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

    /** The stored JSON of a tree, or null. */
    public String treeJson(String id) throws SQLException {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT json FROM hiq_tree WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    /** A page of trees matching {@code q} and the total that match. */
    public TreePage trees(TreeQuery q) throws SQLException {
        long minUs = (long) Math.ceil(Math.max(0, q.minLatencyMs()) * 1000.0);
        // conditions only when filtering: an unfiltered COUNT(*) is answered without a scan
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder();
        if (minUs > 0) { where.append(" AND latency_us >= ?"); args.add(minUs); }
        if (q.service() != null) { where.append(" AND service = ?"); args.add(q.service()); }
        String cond = where.length() == 0 ? "" : " WHERE" + where.substring(4);
        String order = q.slowest() ? " ORDER BY latency_us DESC, id" : " ORDER BY start_us DESC, id";
        return read(c -> {
            long total;
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM hiq_tree" + cond)) {
                for (int i = 0; i < args.size(); i++) ps.setObject(i + 1, args.get(i));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            List<TreeSummary> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, service, root_tag, start_us, latency_us FROM hiq_tree"
                    + cond + order + " LIMIT ?")) {
                for (int i = 0; i < args.size(); i++) ps.setObject(i + 1, args.get(i));
                ps.setInt(args.size() + 1, q.limit());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new TreeSummary(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                                rs.getLong(5) / 1000.0));
                    }
                }
            }
            return new TreePage(total, rows);
        });
    }

    /** Every stored tree's JSON, in id order, streamed to {@code sink} (recounts, exports). */
    public void forEachTreeJson(java.util.function.Consumer<String> sink) throws SQLException {
        read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT json FROM hiq_tree ORDER BY id")) {
                while (rs.next()) sink.accept(rs.getString(1));
            }
            return null;
        });
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
                while (rs.next()) totals.put(List.of(rs.getString(1), rs.getString(2)), new long[] {rs.getLong(3), rs.getLong(4), rs.getLong(5)});
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

    private static int compareKeys(List<String> a, List<String> b) {
        int c = a.get(0).compareTo(b.get(0));
        return c != 0 ? c : a.get(1).compareTo(b.get(1));
    }

    /** One tag's latency per minute over a window (every service when {@code service} is null). */
    public List<SeriesPoint> series(String service, String tag, Long fromMs, Long toMs) throws SQLException {
        Map<Long, Aggregate> byMinute = new TreeMap<>();
        scanRollups(service, tag, fromMs, toMs, k -> byMinute.computeIfAbsent(k.minuteMs(), m -> new Aggregate()));
        List<SeriesPoint> out = new ArrayList<>(byMinute.size());
        byMinute.forEach((m, a) -> out.add(new SeriesPoint(m, a.count(), a.percentile(50) / 1e6,
                a.percentile(95) / 1e6, a.percentile(99) / 1e6)));
        return out;
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
