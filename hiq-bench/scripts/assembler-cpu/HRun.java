// Not part of the build: compiled by run.sh against a benchmarks.jar (docs/PERFORMANCE.md §17).
import io.hiq.core.event.*; import io.hiq.core.metric.Metric; import io.hiq.core.spi.TreeSink; import io.hiq.core.tree.*; import io.hiq.tree.*;
import java.util.*; import java.util.concurrent.atomic.AtomicLong;
/** Assembly of one 10-node root per call on this thread; reports thread CPU ns and bytes allocated per tree. */
public class HRun {
  public static void run(String label, int nodes, TreeSink s) {
    TagRegistry tags = new TagRegistry();
    int root = tags.register("order", null, null).id(); int leaf = tags.register("price", null, null).id();
    long[][] r = new long[nodes*2][]; long t = 1_000_000; int k = 0;
    r[k++] = new long[]{SpanBatch.ENTER, root, t};
    for (int i = 1; i < nodes; i++) { r[k++] = new long[]{SpanBatch.ENTER, leaf, t += 1000}; r[k++] = new long[]{SpanBatch.EXIT, leaf, t += 1000}; }
    r[k] = new long[]{SpanBatch.EXIT, root, t + 1000};
    SpanBatch b = SpanBatch.of(1, "main", r);
    TreeAssembler as = new TreeAssembler(tags, List.of(Metric.TIME), io.hiq.core.tree.Mode.VERBOSE, "b", "h", 1, n -> n / 1000, 0, List.of(s), new AtomicLong(), new AtomicLong());
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    double best = Double.MAX_VALUE; double alloc = 0; int n = 500_000;
    for (int round = 0; round < 12; round++) {
      long a0 = mx.getCurrentThreadAllocatedBytes(); long c0 = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) as.onBatch(b, true);
      long c1 = mx.getCurrentThreadCpuTime(); long a1 = mx.getCurrentThreadAllocatedBytes();
      if (round >= 4) { best = Math.min(best, (c1 - c0) / (double) n); alloc = (a1 - a0) / (double) n; }
    }
    System.out.printf("%-8s nodes=%2d  best CPU %6.0f ns/tree = %5.1f M spans/s per consumer thread, %6.0f B/tree%n", label, nodes, best, nodes / best * 1e3, alloc);
  }
}
