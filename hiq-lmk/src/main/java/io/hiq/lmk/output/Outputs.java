package io.hiq.lmk.output;

import io.hiq.lmk.LmkOptions;
import java.io.PrintStream;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Chooses where LMK lines go (DESIGN A3, docs/FORMATS.md), first match wins:
 * <ol>
 *   <li>{@code HIQ_LMK_CONFIG} set: a private logback context configured from that logback.xml;</li>
 *   <li>driver mode only: the application's own SLF4J binding, when its configuration routes
 *       logger {@code hiq.lmk} at INFO (a user's logback.xml, or any other binding); logback's
 *       built-in default console configuration does not count as a configuration;</li>
 *   <li>{@code LMK_PATH} set: that file, appended to;</li>
 *   <li>stdout, the line alone.</li>
 * </ol>
 * In agent mode ({@code HIQ_AGENT=1}) step 2 is skipped: LMK runs in the agent's isolated class
 * loader and never touches the application's logging.
 */
public final class Outputs {
    private Outputs() {}

    /** The sink for these options; never null, never throws (problems are reported on {@code err}). */
    public static LineSink select(LmkOptions o, PrintStream err) {
        if (o.config() != null) {
            try {
                LineSink s = LogbackSupport.privateContext(o.config(), err);
                if (s != null) return s;
            } catch (LinkageError e) {
                err.println("hiq: lmk: HIQ_LMK_CONFIG needs logback-classic on the class path (" + e
                        + "); using the default LMK output");
            }
        }
        if (!o.agent()) {
            LineSink s = applicationLogging(o, err);
            if (s != null) return s;
        }
        return o.path() != null ? StreamLineSink.file(o.path(), err) : StreamLineSink.stdout(err);
    }

    /** The application's SLF4J logger {@code hiq.lmk} when its configuration routes it, else null. */
    private static LineSink applicationLogging(LmkOptions o, PrintStream err) {
        ILoggerFactory factory;
        try {
            factory = LoggerFactory.getILoggerFactory();
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
        String impl = factory.getClass().getName();
        // NOP (no binding) and substitute factories (SLF4J still initialising) route nowhere
        if (impl.startsWith("org.slf4j.helpers.")) return null;
        org.slf4j.Logger logger = factory.getLogger(Names.LOGGER);
        LogbackSupport.Routing routing;
        if (impl.equals("ch.qos.logback.classic.LoggerContext")) {
            try {
                routing = LogbackSupport.inspect(factory);
            } catch (LinkageError e) {
                routing = logger.isInfoEnabled() ? LogbackSupport.Routing.ROUTED : LogbackSupport.Routing.DISABLED;
            }
        } else {
            routing = logger.isInfoEnabled() ? LogbackSupport.Routing.ROUTED : LogbackSupport.Routing.DISABLED;
        }
        if (routing == LogbackSupport.Routing.UNCONFIGURED) return null;
        if (routing == LogbackSupport.Routing.DISABLED) {
            // LMK=1 is an explicit request; a root level of WARN is usually not meant to silence it
            err.println("hiq: lmk: your logging configuration does not enable logger " + Names.LOGGER
                    + " at INFO; LMK lines go to " + (o.path() != null ? o.path() : "stdout")
                    + " instead (to route them through your logging: <logger name=\"" + Names.LOGGER + "\" level=\"INFO\"/>)");
            return null;
        }
        if (o.path() != null) {
            err.println("hiq: lmk: LMK_PATH " + o.path() + " is not used: your logging configuration routes logger "
                    + Names.LOGGER);
        }
        return new Slf4jLineSink(logger, "logger " + Names.LOGGER + " (application logging)", null, null);
    }
}
