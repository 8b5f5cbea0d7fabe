package io.hiq.jack.chaos;

import io.hiq.jack.JackExtension;
import io.hiq.jack.support.TestContext;
import io.hiq.jack.support.TestTrees;
import io.hiq.tree.HiQTree;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Feeds Jack, in a JVM of its own with a small heap, far more tree bytes than the heap holds, as
 * fast as Jack takes them (at most 6 000 ahead), against a broker whose acknowledgements come late:
 * {@code SmallHeapFeeder BOOTSTRAP TOPIC HOME PROPS TREES PADDING}. Then flushes (60 s) and prints
 * one line {@code RESULT published=… replayed=… spooled=… failed=… pending=…}.
 */
public final class SmallHeapFeeder {
    private SmallHeapFeeder() {}

    public static void main(String[] args) {
        Map<String, String> vars = new HashMap<>();
        vars.put("JACK", "1");
        vars.put("NO_JACK_LOG", "1");
        vars.put("HIQ_KAFKA_BOOTSTRAP", args[0]);
        vars.put("HIQ_KAFKA_TOPIC", args[1]);
        vars.put("HIQ_HOME", args[2]);
        vars.put("HIQ_KAFKA_PROPS", args[3]);
        int trees = Integer.parseInt(args[4]);
        int padding = Integer.parseInt(args[5]);
        TestContext ctx = new TestContext(vars);
        if (!new JackExtension().start(ctx)) throw new IllegalStateException("Jack did not start");
        String run = Long.toHexString(System.nanoTime());
        List<HiQTree> batch = new ArrayList<>(256);
        for (int i = 0; i < trees; i++) {
            batch.add(TestTrees.tree(run + "-" + i, 3, padding)); // made as handed over: only Jack holds them
            if (batch.size() == 256 || i == trees - 1) {
                ctx.deliver(batch);
                batch = new ArrayList<>(256);
                // never more than 6 000 trees ahead of Jack (its queue holds 8 192): they take the
                // live path, where the in-flight bound is what limits the memory, not the spool
                while (i + 1 - ctx.counters().get("JackPublished") - ctx.counters().get("JackSpooled") > 6_000) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                }
            }
        }
        ctx.exit(60_000);
        System.out.println("RESULT published=" + ctx.counters().get("JackPublished")
                + " replayed=" + ctx.counters().get("JackReplayed")
                + " spooled=" + ctx.counters().get("JackSpooled")
                + " failed=" + ctx.counters().get("JackFailed")
                + " pending=" + ctx.counters().get("JackSpoolPending")
                + " maxHeap=" + Runtime.getRuntime().maxMemory());
    }
}
