package io.hiq.lmk;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

/**
 * A test appender that holds the LMK consumer thread until the test opens the gate (so the ring
 * fills up and drops), then keeps each event as {@code LEVEL message}.
 */
public class GateAppender extends AppenderBase<ILoggingEvent> {
    static volatile CountDownLatch gate = new CountDownLatch(0);
    static final ConcurrentLinkedQueue<String> EVENTS = new ConcurrentLinkedQueue<>();

    @Override
    protected void append(ILoggingEvent e) {
        try {
            gate.await();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        EVENTS.add(e.getLevel() + " " + e.getFormattedMessage());
    }
}
