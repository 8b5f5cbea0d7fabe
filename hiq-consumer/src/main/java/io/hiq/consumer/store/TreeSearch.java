package io.hiq.consumer.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The web UI's search over stored trees: the filters of {@link TreeQuery} plus the root tag and a
 * maximum latency, and per row the thread and the number of spans that threw. Thread and errors
 * are read from the page's own JSON (at most {@code limit} trees, itself bounded by the API), so
 * the schema needs no new column.
 */
public final class TreeSearch {
    /** One filter: nulls and zero mean "any"; {@code maxLatencyMs} &lt; 0 means no maximum. */
    public record Filter(String service, String rootTag, double minLatencyMs, double maxLatencyMs, boolean slowest, int limit) {}

    /** A row: the summary, the root's thread and how many spans carry an exception. */
    public record Row(TreeSummary summary, String thread, int errors) {}

    private final TreeStore store;
    private final ObjectMapper mapper;

    public TreeSearch(TreeStore store, ObjectMapper mapper) {
        this.store = store;
        this.mapper = mapper;
    }

    /** The total matching {@code f} and its first page. */
    public Page search(Filter f) throws SQLException {
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder();
        long minUs = (long) Math.ceil(Math.max(0, f.minLatencyMs()) * 1000.0);
        if (minUs > 0) { where.append(" AND latency_us >= ?"); args.add(minUs); }
        if (f.maxLatencyMs() >= 0) { where.append(" AND latency_us <= ?"); args.add((long) Math.floor(f.maxLatencyMs() * 1000.0)); }
        if (f.service() != null) { where.append(" AND service = ?"); args.add(f.service()); }
        if (f.rootTag() != null) { where.append(" AND root_tag = ?"); args.add(f.rootTag()); }
        String cond = where.length() == 0 ? "" : " WHERE" + where.substring(4);
        String order = f.slowest() ? " ORDER BY latency_us DESC, id" : " ORDER BY start_us DESC, id";
        return store.read(c -> {
            long total;
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM hiq_tree" + cond)) {
                for (int i = 0; i < args.size(); i++) ps.setObject(i + 1, args.get(i));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            List<Row> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, service, root_tag, start_us, latency_us, json FROM hiq_tree"
                    + cond + order + " LIMIT ?")) {
                for (int i = 0; i < args.size(); i++) ps.setObject(i + 1, args.get(i));
                ps.setInt(args.size() + 1, f.limit());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        TreeSummary s = new TreeSummary(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                                rs.getLong(5) / 1000.0);
                        rows.add(row(s, rs.getString(6)));
                    }
                }
            }
            return new Page(total, rows);
        });
    }

    /** A page of rows and the total. */
    public record Page(long total, List<Row> rows) {}

    private Row row(TreeSummary s, String json) {
        try {
            JsonNode t = mapper.readTree(json);
            return new Row(s, t.path("thread").asText(""), errors(t.path("root")));
        } catch (Exception e) { // stored trees were validated on the way in; a row is still listed
            return new Row(s, "", 0);
        }
    }

    private static int errors(JsonNode n) {
        int e = n.path("extra").has("exception") ? 1 : 0;
        for (JsonNode c : n.path("children")) e += errors(c);
        return e;
    }
}
