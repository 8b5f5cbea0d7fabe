package io.hiq.bench;

import io.hiq.tree.ArrayTreeView;
import io.hiq.tree.BaselineTreeJsonWriter;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeJsonWriter;
import io.hiq.tree.TreeLimits;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.function.IntSupplier;

/**
 * {@code TreeCodecBench}'s four encodes of the 8-node tree (objects and view, current writer and
 * baseline) timed by the thread's CPU time, in interleaved rounds of 20 000 encodes: on a shared,
 * loaded machine the time the thread waits for a core is not counted, and a change of load hits all
 * four alike, so the ratios hold where JMH's wall-clock figures do not.
 *
 * <p>{@code java -cp hiq-bench/target/benchmarks.jar io.hiq.bench.EncodeCpuTime [rounds]}
 */
public final class EncodeCpuTime {
    private static final int PER_ROUND = 20_000;

    private EncodeCpuTime() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        HiQTree tree = TreeCodecBench.sample();
        ArrayTreeView view = new ArrayTreeView(tree);
        TreeJsonWriter writer = new TreeJsonWriter();
        BaselineTreeJsonWriter baseline = new BaselineTreeJsonWriter();
        String[] names = {"encodeReused", "encodeReusedBaseline", "encodeView", "encodeViewBaseline"};
        IntSupplier[] encodes = {
                () -> writer.encode(tree, TreeLimits.MAX_ENCODED_BYTES),
                () -> baseline.encode(tree, TreeLimits.MAX_ENCODED_BYTES),
                () -> writer.encode(view, TreeLimits.MAX_ENCODED_BYTES),
                () -> baseline.encode(view, TreeLimits.MAX_ENCODED_BYTES),
        };
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        double[][] ns = new double[encodes.length][rounds];
        long sink = 0;
        for (int r = -rounds / 2; r < rounds; r++) { // the first half as many rounds again: warm-up
            for (int k = 0; k < encodes.length; k++) {
                long cpu = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < PER_ROUND; i++) sink += encodes[k].getAsInt();
                if (r >= 0) ns[k][r] = (mx.getCurrentThreadCpuTime() - cpu) / (double) PER_ROUND;
            }
        }
        for (int k = 0; k < encodes.length; k++) {
            double[] x = ns[k].clone();
            Arrays.sort(x);
            System.out.printf("%-22s CPU ns per tree: fastest round %.0f, median round %.0f%n", names[k], x[0], x[x.length / 2]);
        }
        if (sink == 42) System.out.println(); // keeps the encodes from being optimised away
    }
}
