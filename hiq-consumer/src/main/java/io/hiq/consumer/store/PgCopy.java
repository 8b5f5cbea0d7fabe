package io.hiq.consumer.store;

import io.hiq.tree.HiQTree;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * PostgreSQL's bulk path for new trees: {@code COPY hiq_tree (…) FROM STDIN} in the text format,
 * rows streamed to the server in one operation inside the caller's transaction. Values are escaped
 * as the text format requires (backslash, tab, newline, carriage return); U+0000 never reaches here
 * (the validator rejects it, PostgreSQL text cannot hold it).
 */
final class PgCopy {
    private PgCopy() {}

    static void insertTrees(Connection c, String table, String columns, List<StoredTree> trees, long now) throws SQLException {
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " (" + columns + ") FROM STDIN");
        try {
            StringBuilder row = new StringBuilder(2048);
            for (StoredTree st : trees) {
                HiQTree t = st.tree();
                row.setLength(0);
                text(row, t.id()).append('\t');
                text(row, t.service()).append('\t');
                text(row, t.root().name()).append('\t');
                row.append(t.root().start()).append('\t').append(TreeStore.latencyUs(t)).append('\t').append(t.root().size())
                        .append('\t').append(now).append('\t');
                text(row, st.json()).append('\n');
                byte[] b = row.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                copy.writeToCopy(b, 0, b.length);
            }
            copy.endCopy();
        } finally {
            if (copy.isActive()) copy.cancelCopy(); // an error half-way: leave the connection usable for the rollback
        }
    }

    /** Appends {@code v} escaped for COPY's text format. */
    static StringBuilder text(StringBuilder out, String v) {
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            switch (ch) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(ch);
            }
        }
        return out;
    }

}
