package io.hiq.consumer.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * SQLite's driver reports result codes, not SQLSTATEs: they are mapped so that the ingest loop
 * treats them like the other stores' — a stored id is a unique violation (the optimistic insert's
 * fallback), a refused value is a record error (dead-lettered alone), a locked file is retried.
 */
class StoreErrorsTest {
    private static SQLiteException sqlite(SQLiteErrorCode code) {
        return new SQLiteException("[" + code.name() + "] " + code.message, code);
    }

    @Test
    void sqliteResultCodesMapToTheSqlStatesTheLoopActsOn() {
        assertThat(StoreErrors.state(sqlite(SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY))).isEqualTo("23505");
        assertThat(StoreErrors.state(sqlite(SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE))).isEqualTo("23505");
        assertThat(StoreErrors.isRecordError(sqlite(SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE))).as("a concurrent writer, not the record").isFalse();
        assertThat(StoreErrors.isRecordError(sqlite(SQLiteErrorCode.SQLITE_CONSTRAINT_NOTNULL))).isTrue();
        assertThat(StoreErrors.isRecordError(sqlite(SQLiteErrorCode.SQLITE_TOOBIG))).isTrue();
        assertThat(StoreErrors.isRecordError(sqlite(SQLiteErrorCode.SQLITE_MISMATCH))).isTrue();
        assertThat(StoreErrors.state(sqlite(SQLiteErrorCode.SQLITE_BUSY))).isEqualTo("40001");
        assertThat(StoreErrors.state(sqlite(SQLiteErrorCode.SQLITE_LOCKED))).isEqualTo("40001");
        assertThat(StoreErrors.isRecordError(sqlite(SQLiteErrorCode.SQLITE_IOERR))).as("disk trouble is retried, never dead-lettered").isFalse();
        assertThat(StoreErrors.isRecordError(sqlite(SQLiteErrorCode.SQLITE_FULL))).isFalse();
        assertThat(StoreErrors.describe(sqlite(SQLiteErrorCode.SQLITE_BUSY))).contains("(40001)").contains("SQLITE_BUSY");
    }

    /** The real driver's error for a stored id, not a hand-made one, is recognised. */
    @Test
    void theDriversOwnDuplicateKeyErrorIsAUniqueViolation(@TempDir Path dir) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("x.db")); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id VARCHAR(10) PRIMARY KEY)");
            s.execute("INSERT INTO t VALUES ('a')");
            SQLException e = null;
            try {
                s.execute("INSERT INTO t VALUES ('a')");
            } catch (SQLException x) {
                e = x;
            }
            assertThat((Object) e).as("a second insert of the same key fails").isNotNull();
            assertThat(StoreErrors.state(e)).isEqualTo("23505");
        }
    }
}
