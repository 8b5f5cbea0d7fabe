package io.hiq.lmk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.hiq.HiQ;
import io.hiq.core.runtime.HiQRuntime;
import io.hiq.lmk.testapp.Guide;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Agent mode ({@code HIQ_AGENT=1}): LMK configures its own logback context from
 * {@code HIQ_LMK_CONFIG} and never touches the application's logging; drops of the ring are
 * reported as WARN lines.
 */
class AgentModeTest {
    @TempDir Path home;

    private final LoggerContext appLogging = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final ListAppender<ILoggingEvent> appEvents = new ListAppender<>();

    @BeforeEach
    void applicationLogsEverythingToAList() {
        appLogging.reset();
        appEvents.setContext(appLogging);
        appEvents.start();
        appLogging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appEvents);
    }

    @AfterEach
    void unconfigure() {
        appLogging.reset();
        GateAppender.gate = new CountDownLatch(0);
        GateAppender.EVENTS.clear();
    }

    @Test
    void lmkConfigDrivesAPrivateLogbackAndTheApplicationsLoggingSeesNothing() throws Exception {
        Path file = home.resolve("agent-lmk.log");
        Path config = home.resolve("lmk-logback.xml");
        Files.writeString(config, """
                <configuration>
                  <appender name="F" class="ch.qos.logback.core.FileAppender">
                    <file>%s</file>
                    <encoder><pattern>%%level [%%logger] %%msg%%n</pattern><charset>UTF-8</charset></encoder>
                  </appender>
                  <root level="INFO"><appender-ref ref="F"/></root>
                </configuration>
                """.formatted(file));
        try (HiQ hiq = Runs.start(home, Map.of("HIQ_AGENT", "1", "HIQ_LMK_CONFIG", config.toString()))) {
            Guide.main(new String[0]);
        }
        List<String> raw = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(raw).hasSize(6).allSatisfy(l -> {
            assertThat(l).startsWith("INFO [hiq.lmk] ");
            LmkLine.parse(l.substring("INFO [hiq.lmk] ".length()));
        });
        assertThat(appEvents.list).noneMatch(e -> e.getLoggerName().startsWith("hiq"));
    }

    @Test
    void bufferedFileAppendersAreFlushedAtTheEndOfEachBatchNotOnlyAtExit() throws Exception {
        Path file = home.resolve("buffered.log");
        Path config = home.resolve("lmk-logback.xml");
        Files.writeString(config, """
                <configuration>
                  <appender name="F" class="ch.qos.logback.core.FileAppender">
                    <file>%s</file>
                    <immediateFlush>false</immediateFlush>
                    <bufferSize>1MB</bufferSize>
                    <encoder><pattern>%%msg%%n</pattern><charset>UTF-8</charset></encoder>
                  </appender>
                  <logger name="hiq.lmk" level="INFO" additivity="false"><appender-ref ref="F"/></logger>
                </configuration>
                """.formatted(file));
        try (HiQ hiq = Runs.start(home, Map.of("HIQ_AGENT", "1", "HIQ_LMK_CONFIG", config.toString()))) {
            Guide.call(9);
            // still running: the two lines must reach the file without waiting for the 1 MB buffer or exit
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.readAllLines(file, StandardCharsets.UTF_8).size() == 2);
        }
        assertThat(LmkLine.parseFile(file)).hasSize(2);
    }

    @Test
    void theProductionConfigurationInDeployWorks() throws Exception {
        Path config = Path.of("../deploy/logback-lmk.xml").toAbsolutePath().normalize();
        assertThat(config).exists();
        Path dir = home.resolve("var-log-hiq");
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setProperty("LMK_LOG_DIR", dir.toString());
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (HiQ hiq = Runs.start(home, Map.of("HIQ_AGENT", "1", "HIQ_LMK_CONFIG", config.toString()))) {
            Guide.main(new String[0]);
        } finally {
            System.setErr(originalErr);
            System.clearProperty("LMK_LOG_DIR");
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("hiq: lmk:");
        assertThat(LmkLine.parseFile(dir.resolve("lmk.log"))).hasSize(6);
    }

    @Test
    void withoutLmkConfigTheApplicationsRoutingIsIgnoredInAgentMode() throws Exception {
        Path file = home.resolve("lmk.log");
        try (HiQ hiq = Runs.start(home, Map.of("HIQ_AGENT", "1", "LMK_PATH", file.toString()))) {
            Guide.call(3);
        }
        assertThat(LmkLine.parseFile(file)).hasSize(2);
        assertThat(appEvents.list).noneMatch(e -> e.getLoggerName().startsWith("hiq"));
    }

    @Test
    void drainedDropsAreReportedAsOneWarnLineWithTheCount() throws Exception {
        Path config = Path.of(getClass().getResource("/lmk-gate.xml").toURI());
        GateAppender.gate = new CountDownLatch(1); // the LMK consumer blocks on its first line
        long dropped;
        try (HiQ hiq = Runs.start(home, Map.of("HIQ_AGENT", "1", "HIQ_LMK_CONFIG", config.toString(),
                "HIQ_RING_SIZE", "4", "HIQ_BUFFER_SIZE", "16"))) {
            int[] n = {0};
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                Guide.call(n[0]++);
                return hiq.runtime().counters().get(HiQRuntime.DROPPED) > 0;
            });
            GateAppender.gate.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                Guide.call(n[0]++); // keeps batches coming so the consumer reaches an end of batch
                return GateAppender.EVENTS.stream().anyMatch(e -> e.startsWith("WARN "));
            });
            dropped = hiq.runtime().counters().get(HiQRuntime.DROPPED);
        }
        List<String> warns = new ArrayList<>();
        for (String e : GateAppender.EVENTS) {
            String level = e.substring(0, e.indexOf(' '));
            LmkLine l = LmkLine.parse(e.substring(level.length() + 1));
            if (level.equals("WARN")) {
                assertThat(l.marker()).isEqualTo(LmkLine.WARN);
                assertThat(l.tag()).isEqualTo("hiq_dropped");
                warns.add(l.extra());
            } else {
                assertThat(level).isEqualTo("INFO");
                assertThat(l.marker()).isIn(LmkLine.START, LmkLine.END);
            }
        }
        // the first warning comes at once; the counts of all warnings add up to the counter
        Pattern counts = Pattern.compile("dropped=(\\d+), dropped_trees=(\\d+), total_dropped=(\\d+)");
        long sum = 0;
        for (String w : warns) {
            Matcher m = counts.matcher(w);
            assertThat(m.matches()).as(w).isTrue();
            assertThat(Long.parseLong(m.group(1))).isPositive();
            sum += Long.parseLong(m.group(1));
        }
        assertThat(dropped).isPositive();
        assertThat(sum).isEqualTo(dropped);
    }
}
