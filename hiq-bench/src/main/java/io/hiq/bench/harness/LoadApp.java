package io.hiq.bench.harness;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The workload one harness configuration runs, in its own JVM: {@code threads} threads call
 * {@link LoadTarget#outer} in a steady loop, first to warm up, then measured. Prints one line
 * {@code RESULT {json}}: operations, thread-nanoseconds per operation, bytes allocated per operation
 * by the workload threads (ThreadMXBean), and HiQ's dropped-record count when HiQ is attached.
 * {@code ns_per_op} is wall time × threads / operations (what the application feels, consumer
 * threads competing for the cores included); {@code cpu_ns_per_op} is the workload threads' own CPU
 * time per operation (what the application thread itself pays).
 *
 * <p>Usage: {@code LoadApp THREADS WARMUP_MS MEASURE_MS}
 */
public final class LoadApp {
    private LoadApp() {}

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        long warmupMs = Long.parseLong(args[1]);
        long measureMs = Long.parseLong(args[2]);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        long[] ops = new long[threads];
        long[] alloc = new long[threads];
        long[] cpu = new long[threads];
        long[] sink = new long[threads];
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        CyclicBarrier measureStart = new CyclicBarrier(threads + 1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int id = t;
            Thread w = new Thread(() -> {
                LoadTarget target = new LoadTarget();
                long x = 0, acc = 0;
                try {
                    start.await();
                    while (!measuring.get()) acc += target.outer(x++);
                    measureStart.await();
                    long a0 = mx.getCurrentThreadAllocatedBytes();
                    long c0 = mx.getCurrentThreadCpuTime();
                    long n = 0;
                    while (!stop.get()) {
                        // 64 operations between checks of the flag: the check itself stays negligible
                        for (int i = 0; i < 64; i++) acc += target.outer(x++);
                        n += 64;
                    }
                    cpu[id] = mx.getCurrentThreadCpuTime() - c0;
                    alloc[id] = mx.getCurrentThreadAllocatedBytes() - a0;
                    ops[id] = n;
                    sink[id] = acc;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "load-" + t);
            workers.add(w);
            w.start();
        }
        if (System.getenv("HIQ_BENCH_DISABLE") != null) disableHiQ();
        start.await();
        Thread.sleep(warmupMs);
        measuring.set(true);
        measureStart.await();
        long t0 = System.nanoTime();
        Thread.sleep(measureMs);
        stop.set(true);
        for (Thread w : workers) w.join();
        long elapsed = System.nanoTime() - t0;
        long totalOps = 0, totalAlloc = 0, totalCpu = 0, s = 0;
        for (int t = 0; t < threads; t++) {
            totalOps += ops[t];
            totalAlloc += alloc[t];
            totalCpu += cpu[t];
            s ^= sink[t];
        }
        double nsPerOp = (double) elapsed * threads / totalOps;
        System.out.println("RESULT {\"ops\":" + totalOps + ",\"ns_per_op\":" + nsPerOp
                + ",\"cpu_ns_per_op\":" + ((double) totalCpu / totalOps)
                + ",\"alloc_per_op\":" + ((double) totalAlloc / totalOps) + ",\"dropped\":" + hiqDropped()
                + ",\"check\":" + (s & 1) + "}");
    }

    /** HiQ disabled at run time through its MBean: the traced classes are restored. */
    private static void disableHiQ() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("hiq:type=HiQ");
        for (int i = 0; i < 500 && !server.isRegistered(name); i++) Thread.sleep(10);
        server.invoke(name, "disable", new Object[0], new String[0]);
    }

    private static long hiqDropped() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("hiq:type=HiQ");
            for (int i = 0; i < 50 && !server.isRegistered(name); i++) Thread.sleep(10);
            return server.isRegistered(name) ? (Long) server.getAttribute(name, "Dropped") : -1;
        } catch (Exception e) {
            return -1;
        }
    }
}
