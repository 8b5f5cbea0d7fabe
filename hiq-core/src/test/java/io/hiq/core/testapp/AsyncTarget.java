package io.hiq.core.testapp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** Traced methods that hand work to other threads. */
public class AsyncTarget {
    public static ExecutorService pool;

    /** Submits {@code n} tasks, each calling {@link #task(int)}, and waits for them. */
    public static int fanOut(int n) throws Exception {
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            final int k = i;
            fs.add(pool.submit(() -> task(k)));
        }
        int s = 0;
        for (Future<Integer> f : fs) s += f.get();
        return s;
    }

    /** Fires a task and returns at once: the task finishes after this call has ended. */
    public static void fireAndForget(java.util.concurrent.CountDownLatch go, CompletableFuture<Integer> done) {
        pool.execute(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            done.complete(task(7));
        });
    }

    /** A CompletableFuture on the JDK's default async pool. */
    public static int commonPool() {
        return CompletableFuture.supplyAsync(() -> task(5)).join();
    }

    /** A CompletableFuture chain on the pool. */
    public static int chain() {
        return CompletableFuture.supplyAsync(() -> task(1), pool).thenApplyAsync(v -> v + task(2), pool).join();
    }

    public static int task(int k) {
        Target.busy(200);
        return leafWork(k);
    }

    static int leafWork(int k) {
        Target.busy(100);
        return k;
    }
}
