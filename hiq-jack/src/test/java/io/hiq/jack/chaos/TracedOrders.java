package io.hiq.jack.chaos;

import io.hiq.HiQ;
import io.hiq.jack.app.Shop;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The traced program of the exit-drain chaos test, run in a JVM of its own:
 * {@code TracedOrders COUNT PER_SECOND EXIT_CODE [untraced]}. It places {@code COUNT} orders
 * ({@link Shop#order}, one HiQ tree each) at about {@code PER_SECOND}, prints a checksum of the
 * results on stdout and exits with {@code EXIT_CODE} through {@link System#exit}, so that HiQ's
 * flush runs in a shutdown hook as it does under the agent. HiQ starts in driver mode with its
 * settings from the environment ({@code JACK=1}, {@code HIQ_FLUSH_TIMEOUT}, ...); with
 * {@code untraced} it does not start at all (the reference run). With {@code -Dchaos.go=FILE} it
 * pauses after its first {@value #FIRST} orders until that file exists (at most
 * {@value #GO_WAIT_SECONDS} s): a test can start the scenario once Jack delivers, whatever the
 * machine's load made of its start. Pausing changes neither the output nor the exit code.
 */
public final class TracedOrders {
    /** Orders placed before the pause ({@code -Dchaos.go}). */
    static final int FIRST = 200;
    static final int GO_WAIT_SECONDS = 300;

    private TracedOrders() {}

    public static void main(String[] args) {
        int count = Integer.parseInt(args[0]);
        int perSecond = Integer.parseInt(args[1]);
        int exitCode = Integer.parseInt(args[2]);
        boolean traced = args.length < 4 || !args[3].equals("untraced");
        if (traced) {
            HiQ hiq = HiQ.builder().conf(List.of(
                    List.of("io.hiq.jack.app", "Shop", "order", "order"),
                    List.of("io.hiq.jack.app", "Shop", "price", "price"),
                    List.of("io.hiq.jack.app", "Shop", "validate", "validate"))).maxTrees(1).start();
            // as the agent does: HiQ is closed (and Jack drained) by a shutdown hook at exit
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                hiq.runtime().close(false);
                // for the test's report only (stderr, never the program's stdout)
                System.err.println("counters: " + new java.util.TreeMap<>(hiq.runtime().counters().snapshot()));
            }, "hiq-shutdown"));
        }
        String go = System.getProperty("chaos.go");
        long start = System.nanoTime();
        long sum = 0;
        for (int i = 0; i < count; i++) {
            if (go != null && i == Math.min(FIRST, count)) {
                awaitGo(java.nio.file.Path.of(go));
                start = System.nanoTime() - (long) (i * (1e9 / Math.max(1, perSecond))); // the pace goes on from here
            }
            sum += Shop.order(i);
            if (perSecond > 0 && i % 100 == 99) {
                long due = start + (long) ((i + 1) * (1e9 / perSecond));
                long wait = due - System.nanoTime();
                if (wait > 0) LockSupport.parkNanos(wait);
            }
        }
        System.out.println("orders " + count + " checksum " + sum);
        System.exit(exitCode);
    }

    private static void awaitGo(java.nio.file.Path go) {
        long deadline = System.nanoTime() + GO_WAIT_SECONDS * 1_000_000_000L;
        while (!java.nio.file.Files.exists(go) && System.nanoTime() < deadline) LockSupport.parkNanos(20_000_000L);
    }
}
