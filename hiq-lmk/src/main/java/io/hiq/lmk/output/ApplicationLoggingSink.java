package io.hiq.lmk.output;

import java.io.PrintStream;
import java.nio.file.Path;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Driver mode: lines go through the application's own SLF4J logger {@code hiq.lmk} while the
 * application's logging configuration routes it, else to the fallback ({@code LMK_PATH} or
 * stderr, the line alone). The decision is re-checked at the start of a batch, at most once a
 * second, so a configuration applied after HiQ started (Spring Boot, for one, configures logback
 * only once its environment is ready) is picked up; each change is reported once on stderr.
 */
final class ApplicationLoggingSink implements LineSink {
    private static final long RECHECK_NANOS = 1_000_000_000L;

    private final Path path;
    private final PrintStream err;
    private final Slf4jLineSink app;
    private LineSink fallback;
    private LogbackSupport.Routing routing;
    private long nextCheck;

    private ApplicationLoggingSink(Path path, PrintStream err, org.slf4j.Logger logger) {
        this.path = path;
        this.err = err;
        this.app = new Slf4jLineSink(logger, "logger " + Names.LOGGER + " (application logging)", null, null);
    }

    /** The sink, or null when SLF4J has no binding at all here (then the fallback is used directly). */
    static LineSink create(Path path, PrintStream err) {
        ILoggerFactory factory;
        try {
            factory = LoggerFactory.getILoggerFactory();
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
        if (factory.getClass().getName().equals("org.slf4j.helpers.NOPLoggerFactory")) return null;
        ApplicationLoggingSink s = new ApplicationLoggingSink(path, err, factory.getLogger(Names.LOGGER));
        s.routing = inspect();
        s.nextCheck = System.nanoTime() + RECHECK_NANOS;
        if (s.routing == LogbackSupport.Routing.ROUTED && path != null) {
            err.println("hiq: lmk: LMK_PATH " + path + " is not used: your logging configuration routes logger " + Names.LOGGER);
        } else if (s.routing == LogbackSupport.Routing.DISABLED) {
            s.reportDisabled();
        }
        if (s.routing != LogbackSupport.Routing.ROUTED) s.fallback(); // a bad LMK_PATH is reported at start
        return s;
    }

    /** What the application's logging does with {@code hiq.lmk} now. */
    static LogbackSupport.Routing inspect() {
        ILoggerFactory factory;
        try {
            factory = LoggerFactory.getILoggerFactory();
        } catch (LinkageError | RuntimeException e) {
            return LogbackSupport.Routing.UNCONFIGURED;
        }
        String impl = factory.getClass().getName();
        // NOP (no binding) and substitute factories (SLF4J still initialising) route nowhere yet
        if (impl.startsWith("org.slf4j.helpers.")) return LogbackSupport.Routing.UNCONFIGURED;
        if (impl.equals("ch.qos.logback.classic.LoggerContext")) {
            try {
                return LogbackSupport.inspect(factory);
            } catch (LinkageError e) {
                // logback classes not visible to us: judge by the level alone, as for other bindings
            }
        }
        return factory.getLogger(Names.LOGGER).isInfoEnabled() ? LogbackSupport.Routing.ROUTED : LogbackSupport.Routing.DISABLED;
    }

    @Override
    public void beginBatch() {
        long now = System.nanoTime();
        if (now - nextCheck < 0) return;
        nextCheck = now + RECHECK_NANOS;
        LogbackSupport.Routing r = inspect();
        if (r == routing) return;
        boolean wasRouted = routing == LogbackSupport.Routing.ROUTED;
        routing = r;
        if (r == LogbackSupport.Routing.ROUTED) {
            if (fallback != null) fallback.flush();
            err.println("hiq: lmk: your logging configuration now routes logger " + Names.LOGGER + "; LMK lines go there from now on");
        } else if (wasRouted) {
            err.println("hiq: lmk: your logging configuration no longer routes logger " + Names.LOGGER
                    + " at INFO; LMK lines go to " + fallback().description() + " from now on");
        } else if (r == LogbackSupport.Routing.DISABLED) {
            reportDisabled();
        }
    }

    private void reportDisabled() {
        // LMK=1 is an explicit request; a root level of WARN is usually not meant to silence it
        err.println("hiq: lmk: your logging configuration does not enable logger " + Names.LOGGER
                + " at INFO; LMK lines go to " + (path != null ? path.toString() : "stderr")
                + " instead (to route them through your logging: <logger name=\"" + Names.LOGGER + "\" level=\"INFO\"/>)");
    }

    private LineSink target() { return routing == LogbackSupport.Routing.ROUTED ? app : fallback(); }

    private LineSink fallback() {
        if (fallback == null) fallback = path != null ? StreamLineSink.file(path, err) : StreamLineSink.stdout(err);
        return fallback;
    }

    @Override
    public void line(StringBuilder line) { target().line(line); }

    @Override
    public void warn(StringBuilder line) { target().warn(line); }

    @Override
    public void endOfBatch() { target().endOfBatch(); }

    @Override
    public void flush() { if (fallback != null) fallback.flush(); }

    @Override
    public void close() { if (fallback != null) fallback.close(); }

    @Override
    public String description() { return target().description(); }
}
