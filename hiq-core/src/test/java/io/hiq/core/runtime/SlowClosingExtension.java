package io.hiq.core.runtime;

import io.hiq.core.spi.HiQContext;
import io.hiq.core.spi.HiQExtension;
import java.util.concurrent.CountDownLatch;

/**
 * A test extension whose close() holds until the test lets it go: a runtime closing on one thread
 * while another starts. Found only through a class loader the test gives the runtime as context
 * loader (its service file is written by the test), so no other test sees it.
 */
public final class SlowClosingExtension implements HiQExtension {
    /** Counted down when close() is entered. */
    public static volatile CountDownLatch closing = new CountDownLatch(1);
    /** close() returns once this is counted down. */
    public static volatile CountDownLatch release = new CountDownLatch(1);

    @Override public String name() { return "slow-closing"; }

    @Override public boolean start(HiQContext context) { return true; }

    @Override
    public void close() {
        closing.countDown();
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
