package io.hiq.core.metric;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Readers for the metrics other than {@code time}, each a {@link LongSupplier} called on the hot
 * path. A metric unavailable here (not Linux, no HotSpot allocation counter) reads 0 and is
 * reported once on stderr.
 */
public final class MetricReaders {
    private MetricReaders() {}

    /**
     * The readers for every metric but {@code time}, in order.
     *
     * @param custom the user's supplier for {@link Metric#CUSTOM}, or null
     */
    public static LongSupplier[] forMetrics(List<Metric> metrics, LongSupplier custom) {
        return metrics.stream().filter(m -> m != Metric.TIME).map(m -> reader(m, custom)).toArray(LongSupplier[]::new);
    }

    /** The reader of one metric. */
    public static LongSupplier reader(Metric m, LongSupplier custom) {
        return switch (m) {
            case TIME -> System::nanoTime;
            case MEMORY -> threadAllocatedBytes();
            case RSS -> procFile(Path.of("/proc/self/statm"), "rss", MetricReaders::rssBytes);
            case DISK_IO -> procFile(Path.of("/proc/self/io"), "disk_io", MetricReaders::storageBytes);
            case NET_IO -> procFile(Path.of("/proc/self/net/dev"), "net_io", MetricReaders::netBytes);
            case GC -> GcTime::millis;
            case CUSTOM -> {
                if (custom == null) {
                    System.err.println("hiq: metrics: 'custom' needs a supplier (HiQ.builder().customMetric(...)); it reads 0");
                    yield () -> 0L;
                }
                yield custom;
            }
        };
    }

    private static LongSupplier threadAllocatedBytes() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        if (bean instanceof com.sun.management.ThreadMXBean hs && hs.isThreadAllocatedMemorySupported()) {
            if (!hs.isThreadAllocatedMemoryEnabled()) hs.setThreadAllocatedMemoryEnabled(true);
            return hs::getCurrentThreadAllocatedBytes;
        }
        System.err.println("hiq: metrics: 'memory' is not available on this JVM (no per-thread allocation counter); it reads 0");
        return () -> 0L;
    }

    private interface Parser { long parse(String text); }

    private static LongSupplier procFile(Path file, String name, Parser parser) {
        if (!Files.isReadable(file)) {
            System.err.println("hiq: metrics: '" + name + "' needs " + file + " (Linux); it reads 0 here");
            return () -> 0L;
        }
        return () -> {
            try {
                return parser.parse(Files.readString(file, StandardCharsets.US_ASCII));
            } catch (IOException | RuntimeException e) {
                return 0L;
            }
        };
    }

    private static final long PAGE_SIZE = 4096;

    static long rssBytes(String statm) {
        String[] f = statm.trim().split("\\s+");
        return Long.parseLong(f[1]) * PAGE_SIZE;
    }

    static long storageBytes(String io) {
        long read = 0, written = 0;
        for (String line : io.split("\n")) {
            if (line.startsWith("read_bytes:")) read = Long.parseLong(line.substring(11).trim());
            else if (line.startsWith("write_bytes:")) written = Long.parseLong(line.substring(12).trim());
        }
        // read_bytes/write_bytes count what reached storage; page-cache hits do not
        return read + written;
    }

    static long netBytes(String dev) {
        long total = 0;
        String[] lines = dev.split("\n");
        for (int i = 2; i < lines.length; i++) {
            String l = lines[i];
            int colon = l.indexOf(':');
            if (colon < 0) continue;
            String[] f = l.substring(colon + 1).trim().split("\\s+");
            if (f.length >= 9) total += Long.parseLong(f[0]) + Long.parseLong(f[8]);
        }
        return total;
    }

    /** Loaded only when the gc metric is used: the management beans cost start-up time. */
    private static final class GcTime {
        private static final List<GarbageCollectorMXBean> GCS = ManagementFactory.getGarbageCollectorMXBeans();

        static long millis() {
            long t = 0;
            for (GarbageCollectorMXBean gc : GCS) t += Math.max(0, gc.getCollectionTime());
            return t;
        }
    }
}
