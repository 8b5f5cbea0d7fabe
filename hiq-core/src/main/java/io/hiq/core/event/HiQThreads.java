package io.hiq.core.event;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HiQ's own threads (ring consumers, the control thread, Jack's and the exporters' workers): they
 * are named {@code hiq-…} and never record, so that a sink or an exporter that runs traced
 * application code (a logging appender, a serializer) cannot feed HiQ's ring from its own
 * consumers (feedback; with {@code HIQ_RING_POLICY=block}, a deadlock). The check is made once,
 * when a thread's buffer is created, never per call.
 */
public final class HiQThreads {
    /** The name prefix of HiQ's threads. */
    public static final String PREFIX = "hiq-";

    private HiQThreads() {}

    /** Whether {@code t} is one of HiQ's threads (or a client library thread named after HiQ's client id, e.g. Kafka's sender). */
    public static boolean isHiQ(Thread t) {
        String n = t.getName();
        return n.startsWith(PREFIX) || n.contains("| " + PREFIX);
    }

    /** A factory of daemon threads named {@code name}, {@code name-2}, …; {@code name} must start with {@code hiq-}. */
    public static ThreadFactory daemon(String name) {
        if (!name.startsWith(PREFIX)) throw new IllegalArgumentException("a HiQ thread name starts with " + PREFIX + ": " + name);
        AtomicInteger n = new AtomicInteger();
        return r -> {
            int i = n.incrementAndGet();
            Thread t = new Thread(r, i == 1 ? name : name + "-" + i);
            t.setDaemon(true);
            return t;
        };
    }
}
