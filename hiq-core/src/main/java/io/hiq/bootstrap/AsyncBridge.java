package io.hiq.bootstrap;

import java.util.function.UnaryOperator;

/**
 * The one HiQ class that lives in the bootstrap class loader, and only with {@code HIQ_ASYNC=1}:
 * JDK executors ({@code ThreadPoolExecutor}, {@code ForkJoinPool}, the virtual-thread executor)
 * are instrumented to pass every submitted task through {@link #wrap}, and JDK classes can only see
 * bootstrap classes. It refers to nothing of HiQ: core installs the wrapping function as a plain
 * {@link UnaryOperator}.
 *
 * <p>Never referenced directly by HiQ's code (that would load a second copy from the application
 * class loader); only through {@code Class.forName(…, null)} once its jar is on the bootstrap path.
 */
public final class AsyncBridge {
    private static volatile UnaryOperator<Object> hook;

    private AsyncBridge() {}

    /**
     * Installs (or, with null, removes) the function that wraps tasks: given a {@code Runnable} it
     * returns a {@code Runnable}, given a {@code Callable} a {@code Callable}.
     */
    public static void install(UnaryOperator<Object> wrapper) { hook = wrapper; }

    /** Called by instrumented JDK executors on every submitted {@code Runnable}. */
    public static Runnable wrap(Runnable task) {
        Object w = apply(task);
        return w instanceof Runnable r ? r : task;
    }

    /** Called by instrumented JDK executors on every submitted {@code Callable}. */
    @SuppressWarnings("unchecked")
    public static <V> java.util.concurrent.Callable<V> wrap(java.util.concurrent.Callable<V> task) {
        Object w = apply(task);
        return w instanceof java.util.concurrent.Callable<?> c ? (java.util.concurrent.Callable<V>) c : task;
    }

    private static Object apply(Object task) {
        UnaryOperator<Object> h = hook;
        if (h == null || task == null) return task;
        try {
            return h.apply(task);
        } catch (Throwable t) {
            return task; // never let tracing break an executor
        }
    }
}
