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
 * time per operation (what the application thread itself pays); {@code proc_cpu_ns_per_op} is the
 * whole process's CPU time per operation over the measured window (all threads: the workload, HiQ's
 * consumers and sinks, Kafka's sender, GC and JIT — what an operator pays).
 *
 * <p>With a fourth argument {@code CALLS_PER_S} the threads are paced to that total traced-call
 * rate instead of running flat out (the sustained-rate search): each thread does the operations it
 * owes by now and parks while ahead, so that pacing itself burns no core.
 *
 * <p>Usage: {@code LoadApp THREADS WARMUP_MS MEASURE_MS [CALLS_PER_S]}
 */
public final class LoadApp {
    private LoadApp() {}

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        long warmupMs = Long.parseLong(args[1]);
        long measureMs = Long.parseLong(args[2]);
        // operations per nanosecond per thread; 0 = unpaced
        double opsPerNs = args.length > 3 ? Double.parseDouble(args[3]) / BenchMain.CALLS_PER_OP / threads / 1e9 : 0;
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
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
                    long w0 = System.nanoTime(), wn = 0;
                    while (!measuring.get()) {
                        if (opsPerNs > 0 && wn >= (System.nanoTime() - w0) * opsPerNs) {
                            java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                            continue;
                        }
                        acc += target.outer(x++);
                        wn++;
                    }
                    measureStart.await();
                    long a0 = mx.getCurrentThreadAllocatedBytes();
                    long c0 = mx.getCurrentThreadCpuTime();
                    long n = 0, p0 = System.nanoTime();
                    while (!stop.get()) {
                        if (opsPerNs > 0) {
                            // capped so that a catch-up after a stall still looks at the stop flag
                            long owed = Math.min(4096, (long) ((System.nanoTime() - p0) * opsPerNs) - n);
                            if (owed <= 0) {
                                java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                                continue;
                            }
                            for (long i = 0; i < owed; i++) acc += target.outer(x++);
                            n += owed;
                            continue;
                        }
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
        long dropped0 = hiqDropped();
        measureStart.await();
        long t0 = System.nanoTime();
        long proc0 = os.getProcessCpuTime();
        Thread.sleep(measureMs);
        stop.set(true);
        for (Thread w : workers) w.join();
        long elapsed = System.nanoTime() - t0;
        long procCpu = os.getProcessCpuTime() - proc0;
        long dropped1 = hiqDropped();
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
                + ",\"proc_cpu_ns_per_op\":" + ((double) procCpu / totalOps)
                + ",\"calls_per_s\":" + (totalOps * BenchMain.CALLS_PER_OP * 1e9 / elapsed)
                + ",\"alloc_per_op\":" + ((double) totalAlloc / totalOps) + ",\"dropped\":" + dropped1
                + ",\"dropped_measured\":" + (dropped1 < 0 ? -1 : dropped1 - dropped0)
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
