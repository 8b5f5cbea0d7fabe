package io.hiq.core.event;

import java.util.concurrent.Callable;

/**
 * A task that carries the traced call it was submitted from to the thread that runs it
 * ({@code HiQ.wrap(…)}, and the agent's executor instrumentation with {@code HIQ_ASYNC=1}).
 */
public final class ContextTask {
    private ContextTask() {}

    /** Wraps {@code task} when it is submitted from inside a traced call; returns it unchanged otherwise. */
    public static Runnable wrap(Runnable task) {
        if (task == null || task instanceof Linked) return task;
        TaskLink link = Recorder.fork();
        return link == null ? task : new LinkedRunnable(task, link);
    }

    /** Wraps {@code task} when it is submitted from inside a traced call; returns it unchanged otherwise. */
    public static <V> Callable<V> wrap(Callable<V> task) {
        if (task == null || task instanceof Linked) return task;
        TaskLink link = Recorder.fork();
        return link == null ? task : new LinkedCallable<>(task, link);
    }

    /** Wraps a {@code Runnable} or a {@code Callable} (the JDK executors' bootstrap bridge calls this). */
    public static Object wrapAny(Object task) {
        if (task instanceof Runnable r) return wrap(r);
        if (task instanceof Callable<?> c) return wrap(c);
        return task;
    }

    /** Marks a task that already carries its link (never wrapped twice). */
    interface Linked {}

    private record LinkedRunnable(Runnable task, TaskLink link) implements Runnable, Linked {
        @Override
        public void run() {
            Recorder.adopt(link);
            try {
                task.run();
            } finally {
                Recorder.adoptEnd(link);
            }
        }

        @Override
        public String toString() { return task.toString(); }
    }

    private record LinkedCallable<V>(Callable<V> task, TaskLink link) implements Callable<V>, Linked {
        @Override
        public V call() throws Exception {
            Recorder.adopt(link);
            try {
                return task.call();
            } finally {
                Recorder.adoptEnd(link);
            }
        }
    }
}
