package io.hiq.lmk;

import io.hiq.core.spi.HiQContext;
import io.hiq.core.spi.HiQExtension;
import io.hiq.lmk.output.LineSink;
import io.hiq.lmk.output.Outputs;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Log Monkey King (the guide's §4.2): with {@code LMK=1} (or {@code -Dhiq.lmk=1}), one log line per
 * span start and end on logger {@code hiq.lmk}. Found by {@link java.util.ServiceLoader}; reads its
 * options ({@link LmkOptions}), picks the output ({@link Outputs}) and subscribes an
 * {@link LmkHandler} to the ring.
 */
public final class LmkExtension implements HiQExtension {
    /**
     * The running instance: the driver searches two class loaders (HiQ's own and the context
     * loader), and a child loader also sees its parent's service file, so this class can be found
     * twice; only one may print lines, or every span would be logged twice.
     */
    private static final AtomicReference<LmkExtension> ACTIVE = new AtomicReference<>();

    private LmkHandler handler;

    @Override
    public String name() { return "lmk"; }

    @Override
    public boolean start(HiQContext context) {
        if (!context.settings().flag("LMK")) return false;
        if (!ACTIVE.compareAndSet(null, this)) return false;
        try {
            PrintStream err = System.err;
            LmkOptions options = LmkOptions.from(context.settings(), err);
            LineSink sink = Outputs.select(options, err);
            handler = new LmkHandler(context, options.format(), sink);
            context.addSpanHandler(handler);
            return true;
        } catch (RuntimeException | Error e) {
            ACTIVE.compareAndSet(this, null); // the runtime reports the failure; a later run may retry
            throw e;
        }
    }

    @Override
    public void close() { ACTIVE.compareAndSet(this, null); }

    /** The running handler (null before {@link #start} or when LMK is off). */
    public LmkHandler handler() { return handler; }
}
