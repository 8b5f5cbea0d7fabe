package io.hiq.lmk.output;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusUtil;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Everything LMK does with logback classes, kept in one class so that the rest of LMK loads even
 * where logback is absent (a driver-mode application with another SLF4J binding): callers reach it
 * only after checking that logback is there, and catch {@link LinkageError}.
 */
final class LogbackSupport {
    private LogbackSupport() {}

    /** What an application's logback does with logger {@code hiq.lmk}. */
    enum Routing {
        /** The configuration sends {@code hiq.lmk} INFO events to at least one appender. */
        ROUTED,
        /** Appenders exist, but the configured level discards INFO on {@code hiq.lmk}. */
        DISABLED,
        /**
         * No user configuration: no appender at all, or only the console appender that logback's
         * {@code BasicConfigurator} installs when it finds no logback.xml.
         */
        UNCONFIGURED
    }

    /** Whether the logback context behind SLF4J is configured for {@code hiq.lmk}. */
    static Routing inspect(Object loggerFactory) {
        LoggerContext ctx = (LoggerContext) loggerFactory;
        Logger lmk = ctx.getLogger(Names.LOGGER);
        List<Appender<?>> appenders = new ArrayList<>();
        boolean onlyBasicConsole = true;
        // walk hiq.lmk → hiq → ROOT while additive; the parent link itself is not public
        for (String name : new String[] {Names.LOGGER, "hiq", org.slf4j.Logger.ROOT_LOGGER_NAME}) {
            Logger l = name.equals(org.slf4j.Logger.ROOT_LOGGER_NAME) ? ctx.getLogger(name) : ctx.exists(name);
            if (l == null) continue;
            for (Iterator<Appender<ch.qos.logback.classic.spi.ILoggingEvent>> it = l.iteratorForAppenders(); it.hasNext(); ) {
                Appender<?> a = it.next();
                appenders.add(a);
                boolean basic = l.getName().equals(org.slf4j.Logger.ROOT_LOGGER_NAME)
                        && a.getClass() == ConsoleAppender.class && "console".equals(a.getName());
                if (!basic) onlyBasicConsole = false;
            }
            if (!l.isAdditive()) break;
        }
        if (appenders.isEmpty() || onlyBasicConsole) return Routing.UNCONFIGURED;
        return lmk.isEnabledFor(Level.INFO) ? Routing.ROUTED : Routing.DISABLED;
    }

    /**
     * A private logback context configured from a standard logback.xml ({@code HIQ_LMK_CONFIG}),
     * separate from any context the application has. Returns null (after one error line) when the
     * file is missing or the configuration reports errors.
     */
    static LineSink privateContext(Path config, PrintStream err) {
        if (!Files.isReadable(config)) {
            err.println("hiq: lmk: HIQ_LMK_CONFIG " + config + ": no such readable file; using the default LMK output");
            return null;
        }
        LoggerContext ctx = new LoggerContext();
        ctx.setName("hiq-lmk");
        // a context not made by SLF4J's provider has no MDC adapter, and appenders that read the
        // MDC (every pattern encoder) would fail on each event without one
        ctx.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(ctx);
        String problem = null;
        try {
            configurator.doConfigure(config.toFile());
        } catch (JoranException e) {
            problem = e.getMessage();
        }
        if (problem == null && new StatusUtil(ctx).getHighestLevel(0) >= Status.ERROR) {
            problem = firstError(ctx);
        }
        if (problem != null) {
            ctx.stop();
            err.println("hiq: lmk: HIQ_LMK_CONFIG " + config + ": invalid logback configuration (" + problem
                    + "); using the default LMK output");
            return null;
        }
        // a typo in a property is only a warning for logback: say so, the configuration is still used
        for (Status st : ctx.getStatusManager().getCopyOfStatusList()) {
            if (st.getEffectiveLevel() == Status.WARN) {
                err.println("hiq: lmk: HIQ_LMK_CONFIG " + config + ": warning: " + st.getMessage());
            }
        }
        ctx.start();
        Logger logger = ctx.getLogger(Names.LOGGER);
        if (!logger.isEnabledFor(Level.INFO)) {
            err.println("hiq: lmk: HIQ_LMK_CONFIG " + config + ": logger " + Names.LOGGER
                    + " is not enabled at INFO there; LMK lines are discarded");
        }
        List<OutputStreamAppender<?>> buffered = bufferedAppenders(ctx);
        Runnable flusher = buffered.isEmpty() ? null : () -> flushAll(buffered);
        return new Slf4jLineSink(logger, "logback configuration " + config, flusher, ctx::stop);
    }

    /**
     * The stream appenders {@code hiq.lmk} writes to directly with {@code immediateFlush=false}.
     * Only the LMK consumer thread appends to them (the context is private and an appender behind
     * an AsyncAppender is not listed), so flushing them from that thread needs no lock: a whole
     * batch costs one write system call instead of one per line.
     */
    private static List<OutputStreamAppender<?>> bufferedAppenders(LoggerContext ctx) {
        List<OutputStreamAppender<?>> out = new ArrayList<>();
        for (String name : new String[] {Names.LOGGER, "hiq", org.slf4j.Logger.ROOT_LOGGER_NAME}) {
            Logger l = ctx.exists(name);
            if (l == null) continue;
            for (Iterator<Appender<ch.qos.logback.classic.spi.ILoggingEvent>> it = l.iteratorForAppenders(); it.hasNext(); ) {
                if (it.next() instanceof OutputStreamAppender<?> o && !o.isImmediateFlush()) out.add(o);
            }
            if (!l.isAdditive()) break;
        }
        return out;
    }

    private static void flushAll(List<OutputStreamAppender<?>> appenders) {
        for (OutputStreamAppender<?> a : appenders) {
            OutputStream s = a.getOutputStream();
            if (s == null) continue;
            try {
                s.flush();
            } catch (IOException e) {
                a.addError("hiq: lmk: flushing " + a.getName() + " failed", e); // logback's status, as for its own errors
            }
        }
    }

    private static String firstError(LoggerContext ctx) {
        for (Status s : ctx.getStatusManager().getCopyOfStatusList()) {
            if (s.getEffectiveLevel() >= Status.ERROR) {
                Throwable t = s.getThrowable();
                return s.getMessage() + (t == null ? "" : ": " + t);
            }
        }
        return "errors reported";
    }
}
