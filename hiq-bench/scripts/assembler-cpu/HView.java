// Not part of the build: compiled by run.sh against a benchmarks.jar (docs/PERFORMANCE.md §17).
import io.hiq.tree.*;
public class HView { public static void main(String[] a) { long[] c = new long[1]; boolean enc = a.length > 1; TreeJsonWriter w = new TreeJsonWriter();
  io.hiq.core.spi.TreeSink s = new io.hiq.core.spi.TreeSink() {
    public boolean acceptsView() { return true; }
    public void acceptView(TreeView v) { if (enc) c[0] += w.encode(v, Integer.MAX_VALUE); else for (int i = 0; i < v.nodeCount(); i++) c[0] += v.valueEnd(i) - v.valueStart(i); }
    public void accept(HiQTree t) {} };
  HRun.run(enc ? "encode" : "view", Integer.parseInt(a[0]), s); } }
