package io.hiq.lmk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.hiq.HiQ;
import io.hiq.core.runtime.HiQRuntime;
import io.hiq.lmk.testapp.Guide;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Driver mode goes through the application's own logback: a user's logback.xml that routes
 * {@code hiq.lmk} to an async, size-rolled file is respected as is (the Java form of the guide's
 * {@code lmk_logger}).
 */
class UserLogbackTest {
    @TempDir Path home;

    private final LoggerContext appLogging = (LoggerContext) LoggerFactory.getILoggerFactory();

    @AfterEach
    void unconfigure() {
        // back to "no user configuration" for the other tests in this JVM
        appLogging.reset();
    }

    private void configure(String resource, Path logDir) throws Exception {
        appLogging.reset();
        appLogging.putProperty("LOG_DIR", logDir.toString());
        JoranConfigurator c = new JoranConfigurator();
        c.setContext(appLogging);
        c.doConfigure(getClass().getResource("/" + resource));
        ch.qos.logback.core.util.StatusPrinter2 p = new ch.qos.logback.core.util.StatusPrinter2();
        p.printInCaseOfErrorsOrWarnings(appLogging);
        // started, as logback's own initialisation leaves an application's context: LoggerContext.stop()
        // returns at once on a context that is not started (and an earlier test's stop() left it so)
        appLogging.start();
    }

    /**
     * What the application's shutdown does: stops its logging, so that the async appender's worker
     * has written (and rolled) everything before the test reads the files. Then checks logback
     * reported no problem (a flush timeout that discards queued events, a failed rename): a line lost
     * there is logback's, and is named as such.
     */
    private void stopApplicationLogging() {
        long since = System.currentTimeMillis();
        assertThat(appLogging.isStarted()).as("the application's logging context is started").isTrue();
        appLogging.stop();
        List<String> problems = appLogging.getStatusManager().getCopyOfStatusList().stream()
                .filter(s -> s.getLevel() >= ch.qos.logback.core.status.Status.WARN && s.getTimestamp() >= since)
                .map(s -> s.getOrigin() + ": " + s.getMessage()).toList();
        assertThat(problems).as("logback's warnings while stopping").isEmpty();
    }

    @Test
    void rollingAsyncConfigurationOfTheApplicationReceivesEveryLine() throws Exception {
        Path logs = home.resolve("logs");
        configure("user-logback-rolling.xml", logs);
        Path ignored = home.resolve("not-used.log");
        int calls = 0;
        HiQ hiq = Runs.start(home, Map.of("LMK_PATH", ignored.toString(), "HIQ_RING_POLICY", "block"));
        try (hiq) {
            // keep calling until the size-triggered policy has rolled at least twice
            // (logback checks the size at most every checkIncrement, so the count of calls is not fixed)
            int[] n = {0};
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (int i = 0; i < 50; i++) Guide.call(n[0]++);
                return logFiles(logs).size() >= 3;
            });
            calls = n[0];
        }
        // HiQ's side first: every record published (under the block policy a full ring waits, so a
        // drop here would be HiQ's bug, not load), i.e. all of them handed to the LMK handler
        long published = hiq.runtime().counters().get(HiQRuntime.PUBLISHED);
        long dropped = hiq.runtime().counters().get(HiQRuntime.DROPPED);
        assertThat(dropped).as("records HiQ dropped (Dropped counter)").isZero();
        assertThat(published).as("records HiQ published: enter, extra n and exit of each call").isEqualTo(3L * calls);
        // then logback's: the async appender drained and the rolled files complete
        stopApplicationLogging();
        assertThat(ignored).doesNotExist();
        List<LmkLine> lines = readRolled(logs);
        assertThat(lines).as("lines in the rolled files").hasSize(2 * calls);
        for (int i = 0; i < calls; i++) {
            assertThat(lines.get(2 * i).isStart()).isTrue();
            assertThat(lines.get(2 * i + 1).fields()).containsEntry("n", Integer.toString(i));
        }
    }

    @Test
    void withoutAUserConfigurationLinesGoToLmkPathAlone() throws Exception {
        appLogging.reset(); // as logback is with no logback.xml: nothing routes hiq.lmk
        ch.qos.logback.classic.BasicConfigurator basic = new ch.qos.logback.classic.BasicConfigurator();
        basic.setContext(appLogging);
        basic.configure(appLogging);
        Path file = home.resolve("lmk.log");
        try (HiQ hiq = Runs.start(home, Map.of("LMK_PATH", file.toString()))) {
            Guide.call(7);
        }
        List<LmkLine> lines = LmkLine.parseFile(file); // the line alone, no logback pattern around it
        assertThat(lines).hasSize(2);
    }

    @Test
    void aConfigurationThatGivesHiqLmkNoAppenderLeavesTheLinesToLmk() throws Exception {
        configureXml("""
                <configuration>
                  <appender name="L" class="ch.qos.logback.core.read.ListAppender"/>
                  <logger name="hiq.lmk" additivity="false"/>
                  <root level="INFO"><appender-ref ref="L"/></root>
                </configuration>""");
        Path file = home.resolve("lmk.log");
        try (HiQ hiq = Runs.start(home, Map.of("LMK_PATH", file.toString()))) {
            Guide.call(1);
        }
        assertThat(LmkLine.parseFile(file)).hasSize(2);
    }

    @Test
    void aConfigurationThatDisablesInfoForHiqLmkFallsBackWithAHint() throws Exception {
        configureXml("""
                <configuration>
                  <appender name="L" class="ch.qos.logback.core.read.ListAppender"/>
                  <root level="WARN"><appender-ref ref="L"/></root>
                </configuration>""");
        Path file = home.resolve("lmk.log");
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (HiQ hiq = Runs.start(home, Map.of("LMK_PATH", file.toString()))) {
            Guide.call(1);
        } finally {
            System.setErr(originalErr);
        }
        assertThat(LmkLine.parseFile(file)).hasSize(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("hiq: lmk: your logging configuration does not enable logger hiq.lmk at INFO; LMK lines go to " + file);
    }

    private void configureXml(String xml) throws Exception {
        appLogging.reset();
        JoranConfigurator c = new JoranConfigurator();
        c.setContext(appLogging);
        c.doConfigure(new java.io.ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aConfigurationAppliedAfterHiQStartedIsFollowed() throws Exception {
        appLogging.reset(); // unconfigured when HiQ starts (as before Spring Boot configures logback)
        Path early = home.resolve("early.log");
        Path logs = home.resolve("logs");
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int[] n = {0};
        try (HiQ hiq = Runs.start(home, Map.of("LMK_PATH", early.toString()))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                Guide.call(n[0]++);
                return Files.exists(early) && Files.size(early) > 0;
            });
            configure("user-logback-rolling.xml", logs);
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                Guide.call(n[0]++);
                return logFiles(logs).stream().anyMatch(f -> f.toFile().length() > 0);
            });
        } finally {
            System.setErr(originalErr);
        }
        stopApplicationLogging();
        List<LmkLine> before = LmkLine.parseFile(early);
        List<LmkLine> after = readRolled(logs);
        // every call exactly once, the switch between two calls, earlier calls in the LMK_PATH file
        assertThat(before.size() + after.size()).isEqualTo(2 * n[0]);
        assertThat(before).isNotEmpty();
        assertThat(after).isNotEmpty();
        List<LmkLine> all = new ArrayList<>(before);
        all.addAll(after);
        for (int i = 0; i < n[0]; i++) {
            assertThat(all.get(2 * i).isStart()).isTrue();
            assertThat(all.get(2 * i + 1).fields()).containsEntry("n", Integer.toString(i));
        }
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("hiq: lmk: your logging configuration now routes logger hiq.lmk; LMK lines go there from now on");
    }

    /** Every line of the rolled set, oldest first: lmk.N.log (highest N oldest) … lmk.1.log, then lmk.log. */
    private static List<LmkLine> readRolled(Path logs) throws IOException {
        List<LmkLine> lines = new ArrayList<>();
        List<Path> files = logFiles(logs);
        files.sort((a, b) -> Integer.compare(index(b), index(a)));
        for (Path f : files) {
            for (String raw : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                assertThat(raw).startsWith("INFO hiq.lmk - ");
                lines.add(LmkLine.parse(raw.substring("INFO hiq.lmk - ".length())));
            }
        }
        return lines;
    }

    private static List<Path> logFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.filter(p -> p.getFileName().toString().matches("lmk(\\.\\d+)?\\.log")).toList());
        }
    }

    private static int index(Path p) {
        String n = p.getFileName().toString();
        return n.equals("lmk.log") ? 0 : Integer.parseInt(n.substring(4, n.length() - 4));
    }
}
