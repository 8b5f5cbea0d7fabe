package io.hiq.consumer.store;

import io.hiq.tree.TreeFacts;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * PostgreSQL's bulk path for new trees: {@code COPY hiq_tree (…) FROM STDIN} in the text format,
 * rows streamed to the server in chunks of about 256 KB inside the caller's transaction. Values are
 * escaped as the text format requires (backslash, tab, newline, carriage return); a tree's JSON is
 * copied from the record's own UTF-8 bytes, scanned once for those four bytes (JSON text never holds
 * a raw tab or newline; a backslash comes only with an escape sequence). U+0000 never reaches here:
 * the validator rejects it, PostgreSQL text cannot hold it.
 */
final class PgCopy {
    private static final int CHUNK = 256 * 1024;

    private PgCopy() {}

    static void insertTrees(Connection c, String table, String columns, List<StoredTree> trees, long now) throws SQLException {
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " (" + columns + ") FROM STDIN");
        try {
            Buffer buf = new Buffer();
            StringBuilder head = new StringBuilder(256);
            for (StoredTree st : trees) {
                TreeFacts t = st.facts();
                head.setLength(0);
                text(head, t.id()).append('\t');
                text(head, t.service()).append('\t');
                text(head, t.rootTag()).append('\t');
                head.append(t.rootStart()).append('\t').append(TreeStore.latencyUs(t)).append('\t').append(t.size())
                        .append('\t').append(now).append('\t');
                byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
                buf.write(h, 0, h.length);
                textBytes(buf, st.utf8());
                buf.write('\n');
                if (buf.size() >= CHUNK) {
                    copy.writeToCopy(buf.array(), 0, buf.size());
                    buf.reset();
                }
            }
            if (buf.size() > 0) copy.writeToCopy(buf.array(), 0, buf.size());
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

    /** Appends UTF-8 bytes escaped for COPY's text format (multi-byte sequences never hold these ASCII bytes). */
    static void textBytes(Buffer out, byte[] b) {
        int from = 0;
        for (int i = 0; i < b.length; i++) {
            byte x = b[i];
            if (x == '\\' || x == '\t' || x == '\n' || x == '\r') {
                out.write(b, from, i - from);
                out.write('\\');
                out.write(x == '\\' ? '\\' : x == '\t' ? 't' : x == '\n' ? 'n' : 'r');
                from = i + 1;
            }
        }
        out.write(b, from, b.length - from);
    }

    /** A byte buffer whose array is handed to the driver without a copy. */
    static final class Buffer extends ByteArrayOutputStream {
        Buffer() { super(CHUNK + 64 * 1024); }

        byte[] array() { return buf; }
    }
}
