package io.hiq.jack.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.hiq.jack.support.TestTrees;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class JackLogTest {
    @TempDir Path dir;

    @Test
    void everyTreeOnceOneBareLineAndRotatedBySizeWithBoundedHistory() throws Exception {
        Path file = dir.resolve("log_jack.log");
        List<HiQTree> trees = TestTrees.trees(400);
        List<String> expected = new ArrayList<>();
        try (JackLog log = JackLog.open(file, 8 * 1024, 3, 0)) {
            for (HiQTree t : trees) {
                byte[] json = TreeCodec.encode(t);
                expected.add(TreeCodec.encodeToString(t));
                log.append(json);
                log.flush(); // as the batcher does at the end of each batch
            }
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().startsWith("log_jack.log")).sorted().toList();
        }
        // the active file and at most 3 old ones, named .1 .. .3
        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactly("log_jack.log", "log_jack.log.1", "log_jack.log.2", "log_jack.log.3");
        // oldest first: .3, .2, .1, then the active file; together they end with the last trees, in order
        List<String> lines = new ArrayList<>();
        for (String n : List.of("log_jack.log.3", "log_jack.log.2", "log_jack.log.1", "log_jack.log")) {
            Path p = dir.resolve(n);
            // each rolled file was rotated near the size (the check runs on every event here)
            if (!n.equals("log_jack.log")) assertThat(Files.size(p)).isBetween(8L * 1024, 8L * 1024 + 2048);
            lines.addAll(Files.readAllLines(p));
        }
        assertThat(lines).isNotEmpty();
        assertThat(lines).isEqualTo(expected.subList(expected.size() - lines.size(), expected.size()));
        for (String l : lines) assertThat(TreeCodec.decode(l).id()).isNotBlank();
    }

    @Test
    void usesItsOwnLoggerContextNotTheApplications() throws IOException {
        LoggerContext app = (LoggerContext) LoggerFactory.getILoggerFactory();
        int appLoggers = app.getLoggerList().size();
        Logger appRoot = app.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        List<String> appenders = new ArrayList<>();
        appRoot.iteratorForAppenders().forEachRemaining(a -> appenders.add(a.getName()));
        try (JackLog log = JackLog.open(dir.resolve("log_jack.log"), 1024 * 1024, 2, 1000)) {
            log.append(TreeCodec.encode(TestTrees.trees(1).get(0)));
        }
        assertThat(app.exists(JackLog.LOGGER)).isNull();
        assertThat(app.getLoggerList()).hasSize(appLoggers);
        List<String> after = new ArrayList<>();
        appRoot.iteratorForAppenders().forEachRemaining(a -> after.add(a.getName()));
        assertThat(after).isEqualTo(appenders);
        assertThat(app.isStarted()).isTrue();
        assertThat(Files.readAllLines(dir.resolve("log_jack.log"))).hasSize(1);
    }

    @Test
    void theProductionExampleConfigurationWritesTheSameLines() throws Exception {
        Path example = Path.of("../deploy/logback-jack.xml");
        assertThat(example).exists();
        Path file = dir.resolve("log_jack.log");
        List<HiQTree> trees = TestTrees.trees(50);
        try (JackLog log = JackLog.configure(example, file)) {
            for (HiQTree t : trees) log.append(TreeCodec.encode(t));
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(trees.size());
        for (int i = 0; i < trees.size(); i++) assertThat(lines.get(i)).isEqualTo(TreeCodec.encodeToString(trees.get(i)));
    }

    @Test
    void aBrokenConfigurationFileIsAClearError() throws Exception {
        Path bad = dir.resolve("bad.xml");
        Files.writeString(bad, "<configuration><appender name=\"X\" class=\"no.such.Appender\"/><logger name=\"hiq.jack\"><appender-ref ref=\"X\"/></logger></configuration>");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JackLog.configure(bad, dir.resolve("log_jack.log")))
                .isInstanceOf(IOException.class).hasMessageContaining(bad.toString());
    }
}
