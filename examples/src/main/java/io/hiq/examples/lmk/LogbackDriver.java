package io.hiq.examples.lmk;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.hiq.HiQ;
import org.slf4j.LoggerFactory;

/**
 * The guide's §4.2.2.2 (loguru: to the terminal and to {@code /tmp/lmk_guru.log}) the Java way: in
 * driver mode LMK logs on logger {@code hiq.lmk} through the application's own SLF4J binding, so
 * the application's logback.xml decides where the lines go. Here
 * {@code lmk/logback-rolling.xml} sends them to the console with logback's pattern and, through an
 * asynchronous appender, to a daily and size-rolled file {@code /tmp/lmk_guru.log}.
 *
 * <p>An application normally just ships that logback.xml (or points
 * {@code -Dlogback.configurationFile} at it); this example loads it explicitly so it does not
 * clash with the other examples. Run: {@code bin/hiq example io.hiq.examples.lmk.LogbackDriver}.
 */
public final class LogbackDriver {
    private LogbackDriver() {}

    public static void main(String[] args) throws Exception {
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        logging.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(logging);
        configurator.doConfigure(LogbackDriver.class.getResource("/lmk/logback-rolling.xml"));

        System.setProperty("hiq.lmk", "1");
        try (HiQ hiq = HiQ.latency(Confs.conf(args))) {
            Main.main(args);
        }
        // what an application's shutdown does (or <shutdownHook/> in logback.xml): the async
        // appender delivers what it still holds
        logging.stop();
    }
}
