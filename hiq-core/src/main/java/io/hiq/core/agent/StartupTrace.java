package io.hiq.core.agent;

/**
 * Phase timings of the agent's start-up, printed on stderr when {@code HIQ_DEBUG_STARTUP=1}: per
 * phase, the wall time, the starting thread's CPU time and the classes loaded (JVM-wide) since
 * the previous mark. Off (one static boolean) otherwise; for finding where start-up goes
 * (docs/PERFORMANCE.md §15), not a contract.
 */
public final class StartupTrace {
    /** Whether {@code HIQ_DEBUG_STARTUP=1} (environment) or {@code -Dhiq.debug.startup=1}. */
    public static final boolean ON = "1".equals(System.getProperty("hiq.debug.startup", System.getenv("HIQ_DEBUG_STARTUP")));

    private static long lastWall, lastCpu, lastClasses;
    private static java.lang.management.ThreadMXBean threads;
    private static java.lang.management.ClassLoadingMXBean classes;

    private StartupTrace() {}

    /** Marks the end of a phase; the first call only starts the clock. */
    public static synchronized void mark(String phase) {
        if (!ON) return;
        if (threads == null) {
            // loaded once, before the first phase: their own ~250 classes are not charged to a phase
            threads = java.lang.management.ManagementFactory.getThreadMXBean();
            classes = java.lang.management.ManagementFactory.getClassLoadingMXBean();
            long up = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
            lastWall = System.nanoTime();
            lastCpu = threads.getCurrentThreadCpuTime();
            lastClasses = classes.getTotalLoadedClassCount();
            System.err.println("hiq: startup: " + phase + " at JVM uptime " + up + " ms, " + lastClasses + " classes loaded");
            return;
        }
        long wall = System.nanoTime(), cpu = threads.getCurrentThreadCpuTime(), n = classes.getTotalLoadedClassCount();
        System.err.println("hiq: startup: " + phase + ": " + (wall - lastWall) / 1_000_000 + " ms wall, "
                + (cpu - lastCpu) / 1_000_000 + " ms cpu (" + Thread.currentThread().getName() + "), +" + (n - lastClasses) + " classes");
        lastWall = System.nanoTime();
        lastCpu = threads.getCurrentThreadCpuTime();
        lastClasses = classes.getTotalLoadedClassCount();
    }
}
