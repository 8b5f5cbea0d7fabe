package io.hiq.core.event;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An {@link ExecutorService} that wraps every task with {@link ContextTask} before handing it to the
 * real one. {@code submit}, {@code invokeAll} and {@code invokeAny} all end in {@link #execute}, so
 * one wrapping point covers them.
 */
public final class ContextExecutorService extends AbstractExecutorService {
    private final ExecutorService delegate;

    public ContextExecutorService(ExecutorService delegate) { this.delegate = delegate; }

    @Override public void execute(Runnable command) { delegate.execute(ContextTask.wrap(command)); }
    @Override public void shutdown() { delegate.shutdown(); }
    @Override public List<Runnable> shutdownNow() { return delegate.shutdownNow(); }
    @Override public boolean isShutdown() { return delegate.isShutdown(); }
    @Override public boolean isTerminated() { return delegate.isTerminated(); }
    @Override public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return delegate.awaitTermination(timeout, unit);
    }
}
