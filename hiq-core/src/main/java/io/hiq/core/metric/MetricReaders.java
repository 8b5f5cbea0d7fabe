package io.hiq.core.metric;

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
            case RSS -> proc(Path.of("/proc/self/statm"), "rss", (b, n) -> ProcReader.field(b, n, 1) * PAGE_SIZE);
            case DISK_IO -> proc(Path.of("/proc/self/io"), "disk_io",
                    (b, n) -> ProcReader.keyed(b, n, READ_BYTES) + ProcReader.keyed(b, n, WRITE_BYTES));
            case NET_IO -> proc(Path.of("/proc/self/net/dev"), "net_io", ProcReader::netDev);
            case GC -> GcTime::millis;
            case CUSTOM -> {
                if (custom == null) {
                    System.err.println(io.hiq.core.redact.SafeText.line("hiq: metrics: 'custom' needs a supplier (HiQ.builder().customMetric(...)); it reads 0"));
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
        System.err.println(io.hiq.core.redact.SafeText.line("hiq: metrics: 'memory' is not available on this JVM (no per-thread allocation counter); it reads 0"));
        return () -> 0L;
    }

    private static final long PAGE_SIZE = 4096;
    private static final byte[] READ_BYTES = "read_bytes:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WRITE_BYTES = "write_bytes:".getBytes(StandardCharsets.US_ASCII);

    private static LongSupplier proc(Path file, String name, ProcReader.Parser parser) {
        if (!Files.isReadable(file)) {
            System.err.println(io.hiq.core.redact.SafeText.line("hiq: metrics: '" + name + "' needs " + file + " (Linux); it reads 0 here"));
            return () -> 0L;
        }
        return new ProcReader(file, parser);
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
