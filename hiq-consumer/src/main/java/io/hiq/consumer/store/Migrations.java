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
    /** One migration step: its version, a description and the statements for a dialect. */
    record Step(int version, String description, Function<Dialect, List<String>> sql) {}

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
                    : List.of()));

    private Migrations() {}

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
