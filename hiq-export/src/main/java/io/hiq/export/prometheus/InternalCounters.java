package io.hiq.export.prometheus;

import io.hiq.core.runtime.Counters;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * HiQ's own counters (DESIGN B7: {@code Published}, {@code Dropped}, {@code Trees},
 * {@code Jack*}, …) as Prometheus counters {@code hiq_internal_<snake_case>_total}, read at every
 * scrape: extensions that start after this one (Jack) still show up.
 */
final class InternalCounters implements MultiCollector {
    private final Counters counters;

    InternalCounters(Counters counters) { this.counters = counters; }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        for (Map.Entry<String, Long> e : counters.snapshot().entrySet()) {
            out.add(CounterSnapshot.builder()
                    .name("hiq_internal_" + snakeCase(e.getKey()))
                    .help("HiQ counter " + e.getKey() + " (MBean hiq:type=HiQ)")
                    .dataPoint(CounterDataPointSnapshot.builder().value(e.getValue()).build())
                    .build());
        }
        return new MetricSnapshots(out);
    }

    /** {@code JackPublished} → {@code jack_published}; anything outside {@code [A-Za-z0-9]} → {@code _}. */
    static String snakeCase(String name) {
        StringBuilder sb = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0 && sb.charAt(sb.length() - 1) != '_') sb.append('_');
                sb.append(Character.toLowerCase(c));
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                sb.append(c);
            } else if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '_') {
                sb.append('_');
            }
        }
        return sb.toString();
    }
}
