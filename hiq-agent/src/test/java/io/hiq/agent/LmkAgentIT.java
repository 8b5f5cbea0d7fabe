package io.hiq.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LMK in agent mode, as a user runs it: {@code LMK=1 bin/hiq run} on a program built outside this
 * repository, 8 threads × 10 000 traced calls, every line parsed with the regular expression of
 * docs/FORMATS.md §3.1.
 */
class LmkAgentIT {
    /** docs/FORMATS.md §3.1, verbatim. */
    static final Pattern LINE = Pattern.compile(
            "^(?<ts>\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{6}) - \\[(?<metric>[^\\]]+)\\] \\[\uD83C\uDD94 (?<pid>\\d+)\\] "
                    + "(?<marker>\uD83D\uDC35|\uD83D\uDE48|\u26A0) \\[(?<tag>[^\\]]*)\\] \\[(?<extra>.*)\\]$");
    static final Pattern THREAD = Pattern.compile("(?:^|, )thread=([^,]+)");

    @TempDir Path work;

    static final String APP = """
            package lmkapp;
            public class Busy {
                public static void main(String[] args) throws Exception {
                    Thread[] ts = new Thread[8];
                    for (int t = 0; t < 8; t++) {
                        ts[t] = new Thread(() -> { for (int i = 0; i < 10_000; i++) outer(i); }, "busy-" + t);
                        ts[t].start();
                    }
                    for (Thread t : ts) t.join();
                    System.out.println("done");
                }
                static int outer(int i) { return inner(i) + 1; }
                static int inner(int i) { return i * 2; }
            }
            """;

    @Test
    void everyTracedCallGivesOneStartAndOneEndLineInOrderPerThread() throws Exception {
        ExternalProgram app = new ExternalProgram(work.resolve("app")).compile(Map.of("lmkapp/Busy.java", APP));
        Path conf = work.resolve("busy.conf");
        Files.writeString(conf, "lmkapp, Busy, outer, outer\nlmkapp, Busy, inner, inner\n");
        Path lmk = work.resolve("logs/lmk.log");
        ExternalProgram.Result r = ExternalProgram.run(List.of(AgentIT.BIN_HIQ.toString(), "run", "--conf", conf.toString(), "--",
                        "-cp", app.classes().toString(), "lmkapp.Busy"),
                Map.of("LMK", "1", "LMK_PATH", lmk.toString(), "HIQ_RING_POLICY", "block", "HIQ_HOME", work.resolve("home").toString()),
                work);
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo("done\n");

        List<String> lines = Files.readAllLines(lmk, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(8 * 10_000 * 2 * 2);
        Map<String, ArrayDeque<String>> open = new HashMap<>();
        Map<String, Integer> ends = new HashMap<>();
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            assertThat(m.matches()).as("line matches the documented regex: %s", line).isTrue();
            assertThat(m.group("metric")).isEqualTo("time");
            Matcher th = THREAD.matcher(m.group("extra"));
            assertThat(th.find()).isTrue();
            String thread = th.group(1);
            ArrayDeque<String> stack = open.computeIfAbsent(thread, k -> new ArrayDeque<>());
            if (m.group("marker").equals("\uD83D\uDC35")) {
                stack.push(m.group("tag"));
            } else {
                assertThat(m.group("marker")).isEqualTo("\uD83D\uDE48");
                assertThat(stack.pop()).isEqualTo(m.group("tag")); // ends match starts, in order
                ends.merge(thread + "/" + m.group("tag"), 1, Integer::sum);
            }
        }
        assertThat(open.values()).allSatisfy(s -> assertThat(s).isEmpty());
        assertThat(ends).hasSize(16).allSatisfy((k, v) -> assertThat(v).isEqualTo(10_000));
    }
}
