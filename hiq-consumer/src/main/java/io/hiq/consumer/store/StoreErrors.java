package io.hiq.consumer.store;

import java.sql.SQLException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Sorts store errors into the two kinds the ingest loop treats differently: errors caused by one
 * record's values (the store refuses a value: retrying cannot help, the batch is split and only that
 * record dead-lettered) and everything else (connection lost, server restarting, lock conflicts, disk
 * full: retried with back-off, never skipping a tree). Also turns an error into a short log text:
 * PostgreSQL's batch errors quote every parameter of the statement — a whole tree — so only the
 * SQLSTATE and the first characters of the message are ever logged.
 */
public final class StoreErrors {
    /** Longest message text kept by {@link #describe}. */
    public static final int MAX_MESSAGE = 160;

    private StoreErrors() {}

    /**
     * Whether the error is caused by the values of the statement (SQLSTATE class 22 data exception,
     * e.g. 22021 U+0000 in PostgreSQL text, 22001 value too long; class 23 integrity other than the
     * unique violation 23505 of a concurrent writer; class 54 program limit, e.g. a row too large).
     */
    public static boolean isRecordError(SQLException e) {
        String s = state(e);
        if (s == null || s.length() < 2) return false;
        String cls = s.substring(0, 2);
        return cls.equals("22") || (cls.equals("23") && !s.equals("23505")) || cls.equals("54");
    }

    /**
     * The SQLSTATE of the error or of the first chained error that has one; null when none does.
     * SQLite's driver gives no SQLSTATE: its result codes are mapped to the SQLSTATE classes above
     * ({@link #sqliteState}).
     */
    public static String state(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if (x.getSQLState() != null) return x.getSQLState();
            if (x instanceof SQLiteException l) return sqliteState(l);
            if (x.getCause() instanceof SQLException c && c.getSQLState() != null) return c.getSQLState();
        }
        return null;
    }

    /**
     * A SQLite result code as the SQLSTATE the rest of the service understands: a primary-key or
     * unique violation 23505, any other constraint 23000, a value too big 54000, a type mismatch
     * 22000 (record errors); busy or locked 40001 (retried); anything else null (retried).
     */
    static String sqliteState(SQLiteException e) {
        SQLiteErrorCode code = e.getResultCode();
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (code == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY || code == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
                || m.contains("UNIQUE constraint failed")) return "23505";
        if (code.name().startsWith("SQLITE_CONSTRAINT")) return "23000";
        if (code == SQLiteErrorCode.SQLITE_TOOBIG) return "54000";
        if (code == SQLiteErrorCode.SQLITE_MISMATCH) return "22000";
        if (code.name().startsWith("SQLITE_BUSY") || code.name().startsWith("SQLITE_LOCKED")) return "40001";
        return null;
    }

    /** {@code ClassName (SQLSTATE): first characters of the message}, credentials masked. */
    public static String describe(Throwable e) {
        String m = e.getMessage() == null ? "" : e.getMessage().replace('\n', ' ').replace('\r', ' ');
        if (m.length() > MAX_MESSAGE) m = m.substring(0, MAX_MESSAGE) + "…";
        String st = e instanceof SQLException s ? state(s) : null;
        return Redact.text(e.getClass().getSimpleName() + (st != null ? " (" + st + ")" : "") + (m.isEmpty() ? "" : ": " + m));
    }
}
