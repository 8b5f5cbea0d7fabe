package io.hiq.consumer.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.Function;

/**
 * Versioned schema migrations: an ordered list of steps, each applied once and recorded in
 * {@code hiq_schema_version} in the same transaction as its DDL (both stores have transactional DDL
 * for these statements), so a store is always at a known version.
 *
 * <p>Why not Flyway: two tables and a handful of statements do not justify a dependency of several MB
 * in the service jar; the rule "append a step, never edit an applied one" is all this needs. Two
 * instances starting at once on one PostgreSQL both try to create the version table; the loser's
 * statement fails and it simply retries after reading the winner's version.
 */
public final class Migrations {
    /** One migration step: its version, a description, the statements for a dialect and code run after them. */
    record Step(int version, String description, Function<Dialect, List<String>> sql, Action action) {
        Step(int version, String description, Function<Dialect, List<String>> sql) {
            this(version, description, sql, (c, d) -> {});
        }
    }

    /** The part of a step SQL alone cannot do (e.g. computing a column in Java), in the step's transaction. */
    @FunctionalInterface
    interface Action { void run(Connection c, Dialect d) throws SQLException; }

    static final List<Step> STEPS = List.of(
            new Step(1, "trees and per-minute roll-ups", d -> List.of(
                    "CREATE TABLE hiq_tree (id VARCHAR(512) PRIMARY KEY, service VARCHAR(512) NOT NULL,"
                            + " root_tag VARCHAR(512) NOT NULL, start_us BIGINT NOT NULL, latency_us BIGINT NOT NULL,"
                            + " nodes INT NOT NULL, ingested_ms BIGINT NOT NULL, json " + d.textType() + " NOT NULL)",
                    "CREATE INDEX hiq_tree_start ON hiq_tree (start_us)",
                    "CREATE INDEX hiq_tree_latency ON hiq_tree (latency_us)",
                    "CREATE INDEX hiq_tree_service_start ON hiq_tree (service, start_us)",
                    // a filtered total (service and minimum latency) is counted from this index alone
                    "CREATE INDEX hiq_tree_service_latency ON hiq_tree (service, latency_us)",
                    "CREATE TABLE hiq_rollup (service VARCHAR(512) NOT NULL, tag VARCHAR(512) NOT NULL,"
                            + " minute_ms BIGINT NOT NULL, cnt BIGINT NOT NULL, sum_ns BIGINT NOT NULL,"
                            + " min_ns BIGINT NOT NULL, max_ns BIGINT NOT NULL, hist " + d.bytesType() + " NOT NULL,"
                            + " PRIMARY KEY (service, tag, minute_ms))",
                    "CREATE INDEX hiq_rollup_minute ON hiq_rollup (minute_ms)")),
            // H2 converts VARCHAR to VARBINARY as UTF-8: stored trees keep their exact bytes
            new Step(2, "H2 keeps tree JSON as UTF-8 bytes", d -> d == Dialect.H2
                    ? List.of("ALTER TABLE hiq_tree ALTER COLUMN json SET DATA TYPE VARBINARY(1000000)")
                    : List.of()),
            // SQLite only: the id's string key and the global latency index were most of the write
            // (docs/PERFORMANCE.md §18); H2 and PostgreSQL keep the id as their key (PostgreSQL's
            // concurrent instances rely on it)
            new Step(3, "SQLite: trees keyed by row, ids found by a 64-bit hash", d -> List.of(), Migrations::sqliteRowKeyed),
            // SQLite only: the global start index cost ~3.3 µs of CPU per stored tree (0.84x the store
            // write without it, docs/PERFORMANCE.md §18); what it served (newest trees of all services,
            // the services overview, retention) is answered per service through (service, start_us)
            // and hiq_service, as the slowest trees already were. H2 and PostgreSQL keep it.
            new Step(4, "SQLite: no global start index, per-service queries instead", d -> d == Dialect.SQLITE
                    ? List.of("DROP INDEX IF EXISTS hiq_tree_start") : List.of()));

    private Migrations() {}

    /**
     * Migration 3 on SQLite: {@code hiq_tree} rebuilt with a row number as its key ({@code seq}, the
     * table's rowid: rows are appended in arrival order), the id kept as a plain column and found
     * through an index on {@code id_hash} ({@link IdHash}, not unique: the id is compared on every
     * lookup), no global latency index (the slowest trees of all services are merged from the
     * per-service index), and {@code hiq_service} listing the services for those merged queries.
     * Existing rows are copied with their exact bytes. (Its global start index is dropped again by
     * step 4: a SQLite store at the latest version has the indexes {@code hiq_tree_id_hash (id_hash)},
     * {@code hiq_tree_service_start (service, start_us)} and {@code hiq_tree_service_latency
     * (service, latency_us)} only.)
     */
    private static void sqliteRowKeyed(Connection c, Dialect d) throws SQLException {
        if (d != Dialect.SQLITE) return;
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE hiq_tree_v3 (seq INTEGER PRIMARY KEY, id VARCHAR(512) NOT NULL, id_hash BIGINT NOT NULL,"
                    + " service VARCHAR(512) NOT NULL, root_tag VARCHAR(512) NOT NULL, start_us BIGINT NOT NULL,"
                    + " latency_us BIGINT NOT NULL, nodes INT NOT NULL, ingested_ms BIGINT NOT NULL, json BLOB NOT NULL)");
            try (ResultSet rs = s.executeQuery("SELECT id, service, root_tag, start_us, latency_us, nodes, ingested_ms, json"
                    + " FROM hiq_tree ORDER BY ingested_ms, start_us, id");
                 PreparedStatement ins = c.prepareStatement("INSERT INTO hiq_tree_v3 (id, id_hash, service, root_tag,"
                         + " start_us, latency_us, nodes, ingested_ms, json) VALUES (?,?,?,?,?,?,?,?,?)")) {
                int n = 0;
                while (rs.next()) {
                    String id = rs.getString(1);
                    ins.setString(1, id);
                    ins.setLong(2, IdHash.of(id));
                    ins.setString(3, rs.getString(2));
                    ins.setString(4, rs.getString(3));
                    ins.setLong(5, rs.getLong(4));
                    ins.setLong(6, rs.getLong(5));
                    ins.setInt(7, rs.getInt(6));
                    ins.setLong(8, rs.getLong(7));
                    ins.setBytes(9, rs.getBytes(8));
                    ins.addBatch();
                    if (++n % 1000 == 0) ins.executeBatch();
                }
                ins.executeBatch();
            }
            s.execute("DROP TABLE hiq_tree");
            s.execute("ALTER TABLE hiq_tree_v3 RENAME TO hiq_tree");
            s.execute("CREATE INDEX hiq_tree_id_hash ON hiq_tree (id_hash)");
            s.execute("CREATE INDEX hiq_tree_start ON hiq_tree (start_us)");
            s.execute("CREATE INDEX hiq_tree_service_start ON hiq_tree (service, start_us)");
            s.execute("CREATE INDEX hiq_tree_service_latency ON hiq_tree (service, latency_us)");
            s.execute("CREATE TABLE hiq_service (service VARCHAR(512) PRIMARY KEY)");
            s.execute("INSERT INTO hiq_service (service) SELECT DISTINCT service FROM hiq_tree");
        }
    }

    /** The version a fully migrated store has. */
    public static int latestVersion() { return STEPS.get(STEPS.size() - 1).version(); }

    /** Brings the store to {@link #latestVersion()}; returns the version found before. */
    public static int migrate(Connection c, Dialect dialect) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    int before = migrateOnce(c, dialect);
                    return before;
                } catch (SQLException e) {
                    c.rollback();
                    if (attempt >= 3) throw e;
                    // another instance migrated concurrently: read its version and go on
                }
            }
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private static int migrateOnce(Connection c, Dialect dialect) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS hiq_schema_version (version INT PRIMARY KEY,"
                    + " description VARCHAR(200) NOT NULL, applied_ms BIGINT NOT NULL)");
        }
        c.commit();
        int current = currentVersion(c);
        for (Step step : STEPS) {
            if (step.version() <= current) continue;
            try (Statement s = c.createStatement()) {
                for (String sql : step.sql().apply(dialect)) s.execute(sql);
            }
            step.action().run(c, dialect);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO hiq_schema_version (version, description, applied_ms) VALUES (?, ?, ?)")) {
                ps.setInt(1, step.version());
                ps.setString(2, step.description());
                ps.setLong(3, System.currentTimeMillis());
                ps.executeUpdate();
            }
            c.commit();
        }
        return current;
    }

    /** The store's version: 0 when nothing was applied yet. */
    public static int currentVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM hiq_schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
