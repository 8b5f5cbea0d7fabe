package io.hiq.consumer.store;

import java.sql.SQLException;

/**
 * Thrown by {@link TreeStore#read} when no read connection became free within the store's read
 * wait: every reader is busy. The HTTP layer answers it with 503 and {@code Retry-After} instead of
 * holding a request thread.
 */
public final class StoreBusyException extends SQLException {
    /** @param waitedMs how long the caller waited */
    public StoreBusyException(long waitedMs) {
        super("store busy: no read connection free within " + waitedMs + " ms", "HYT00");
    }
}
