package io.hiq.consumer.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-service statistics over a window, for every service that stored trees in it — not only the
 * services of the trees a page happens to list. Grouped counts of the trees that started in the
 * window find the services and their busiest root tag: in H2 and PostgreSQL one count over the
 * trees' start index; in SQLite, which has no global start index (migration 4), one count per
 * service listed in {@code hiq_service} over its {@code (service, start_us)} range. Each shown
 * service then reads only its root tag's roll-up rows (a primary-key range of (service, tag)), so a
 * call costs the index range scans (and the rows' root tags) plus at most {@code limit} small
 * roll-up reads.
 */
public final class ServiceOverview {
    /** Most services one call returns (the busiest first). */
    public static final int MAX_SERVICES = 100;

    private final TreeStore store;

    /** An overview over {@code store}. */
    public ServiceOverview(TreeStore store) {
        this.store = store;
    }

    /**
     * The grouped count of the trees in a window: of one service ({@code perService}: SQLite, through
     * its (service, start) index) or of all (the global start index); {@code bounded}: with an end.
     */
    static String countSql(boolean perService, boolean bounded) {
        String window = "start_us >= ?" + (bounded ? " AND start_us < ?" : "");
        return perService
                ? "SELECT service, root_tag, COUNT(*) FROM hiq_tree WHERE service = ? AND " + window + " GROUP BY root_tag"
                : "SELECT service, root_tag, COUNT(*) FROM hiq_tree WHERE " + window + " GROUP BY service, root_tag";
    }

    /**
     * The services with trees that started in [{@code fromMs}, {@code toMs}) ({@code toMs} null =
     * unbounded), busiest first (ties by name), at most {@code limit} (capped at {@link #MAX_SERVICES}).
     */
    public List<ServiceSummary> services(long fromMs, Long toMs, int limit) throws SQLException {
        int max = Math.max(1, Math.min(limit, MAX_SERVICES));
        boolean perService = store.rowKeyed();
        String sql = countSql(perService, toMs != null);
        Map<String, long[]> trees = new LinkedHashMap<>();   // service -> {trees}
        Map<String, String> busiest = new LinkedHashMap<>(); // service -> root tag
        Map<String, Long> busiestCount = new LinkedHashMap<>();
        store.read(c -> {
            List<String> services = perService ? TreeStore.services(c) : java.util.Collections.singletonList(null);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (String only : services) {
                    int p = 1;
                    if (perService) ps.setString(p++, only);
                    ps.setLong(p++, Math.multiplyExact(fromMs, 1000L));
                    if (toMs != null) ps.setLong(p, Math.multiplyExact(toMs, 1000L));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            String service = rs.getString(1);
                            String root = rs.getString(2);
                            long n = rs.getLong(3);
                            trees.computeIfAbsent(service, s -> new long[1])[0] += n;
                            Long best = busiestCount.get(service);
                            if (best == null || n > best || (n == best && root.compareTo(busiest.get(service)) < 0)) {
                                busiest.put(service, root);
                                busiestCount.put(service, n);
                            }
                        }
                    }
                }
            }
            return null;
        });
        List<String> order = new ArrayList<>(trees.keySet());
        order.sort(Comparator.<String>comparingLong(s -> -trees.get(s)[0]).thenComparing(Comparator.naturalOrder()));
        List<ServiceSummary> out = new ArrayList<>(Math.min(max, order.size()));
        for (String service : order.subList(0, Math.min(max, order.size()))) {
            String root = busiest.get(service);
            TagStats stats = store.stats(service, root, fromMs, toMs); // the root tag's rows only, not every tag's
            out.add(new ServiceSummary(service, trees.get(service)[0], root, busiestCount.get(service), stats));
        }
        return out;
    }
}
