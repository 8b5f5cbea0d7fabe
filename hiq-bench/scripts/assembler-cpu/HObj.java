// Not part of the build: compiled by run.sh against a benchmarks.jar (docs/PERFORMANCE.md §17).
public class HObj { public static void main(String[] a) { long[] c = new long[1];
  io.hiq.core.spi.TreeSink s = t -> c[0] += t.root().size();
  HRun.run("objects", Integer.parseInt(a[0]), s); } }
