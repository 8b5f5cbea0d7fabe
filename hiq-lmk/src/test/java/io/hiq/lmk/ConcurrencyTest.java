package io.hiq.lmk;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.HiQ;
import io.hiq.core.runtime.HiQRuntime;
import io.hiq.lmk.testapp.Guide;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many application threads: every line whole, counts exact, per-thread order kept. */
class ConcurrencyTest {
    private static final int THREADS = 8, CALLS = 10_000, STDOUT_CALLS = 2_000;

    @TempDir Path home;

    @Test
    void eightThreadsTimesTenThousandCallsToAFile() throws Exception {
        Path file = home.resolve("lmk.log");
        long dropped;
        try (HiQ hiq = Runs.start(home, Map.of("LMK_PATH", file.toString(), "HIQ_RING_POLICY", "block"))) {
            runThreads(null, CALLS);
            dropped = hiq.runtime().counters().get(HiQRuntime.DROPPED);
        }
        assertThat(dropped).isZero();
        List<String> raw = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(raw).hasSize(THREADS * CALLS * 2);
        checkPerThreadOrder(raw.stream().map(LmkLine::parse).toList(), CALLS);
    }

    @Test
    void stderrLinesAreNeverTornAgainstTheApplicationsOwnPrintln() throws Exception {
        // LMK's default destination is stderr: the application printing to stderr too must not tear its lines
        Path out = home.resolve("stderr.txt");
        PrintStream original = System.err;
        try (PrintStream captured = new PrintStream(new java.io.BufferedOutputStream(new FileOutputStream(out.toFile()), 1 << 16), false, StandardCharsets.UTF_8)) {
            System.setErr(captured);
            try (HiQ hiq = Runs.start(home, Map.of("HIQ_RING_POLICY", "block"))) {
                // each application thread prints a line of its own after every traced call
                runThreads(captured, STDOUT_CALLS);
            } finally {
                System.setErr(original);
            }
        }
        List<String> raw = Files.readAllLines(out, StandardCharsets.UTF_8);
        Pattern app = Pattern.compile("application line from worker-\\d+ #\\d+ [x]{200}");
        List<LmkLine> lmk = new ArrayList<>();
        int appLines = 0;
        for (String l : raw) {
            if (app.matcher(l).matches()) appLines++;
            else lmk.add(LmkLine.parse(l)); // fails on any torn or mixed line
        }
        assertThat(appLines).isEqualTo(THREADS * STDOUT_CALLS);
        assertThat(lmk).hasSize(THREADS * STDOUT_CALLS * 2);
        checkPerThreadOrder(lmk, STDOUT_CALLS);
    }

    private static void runThreads(PrintStream println, int calls) throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        String pad = "x".repeat(200);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            String name = "worker-" + t;
            threads.add(new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < calls; i++) {
                    Guide.call(i);
                    if (println != null) println.println("application line from " + name + " #" + i + " " + pad);
                }
            }, name));
        }
        threads.forEach(Thread::start);
        go.countDown();
        for (Thread t : threads) t.join();
    }

    /** Per worker thread: start, end, start, end… with n = 0, 1, 2, … on the end lines. */
    private static void checkPerThreadOrder(List<LmkLine> lines, int calls) {
        Map<String, List<LmkLine>> byThread = new HashMap<>();
        for (LmkLine l : lines) byThread.computeIfAbsent(l.fields().get("thread"), k -> new ArrayList<>()).add(l);
        assertThat(byThread).hasSize(THREADS);
        byThread.forEach((thread, ls) -> {
            assertThat(thread).startsWith("worker-");
            assertThat(ls).hasSize(calls * 2);
            for (int i = 0; i < calls; i++) {
                LmkLine s = ls.get(2 * i), e = ls.get(2 * i + 1);
                assertThat(s.isStart()).as("%s line %d", thread, 2 * i).isTrue();
                assertThat(e.isEnd()).as("%s line %d", thread, 2 * i + 1).isTrue();
                assertThat(s.tag()).isEqualTo("call");
                assertThat(e.tag()).isEqualTo("call");
                assertThat(e.fields().get("n")).as("%s call %d", thread, i).isEqualTo(Integer.toString(i));
            }
        });
    }
}
