package io.hiq.bench.lmk;

import io.hiq.HiQ;
import io.hiq.core.runtime.HiQRuntime;
import io.hiq.core.runtime.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sustained LMK throughput: how many lines per second LMK turns into file output, for each output
 * path. The application thread calls a traced target ({@link io.hiq.bench.Workload}: 3 calls, 6 lines per
 * operation) as fast as it can, in chunks of {@value #CHUNK} operations (fewer roots than the
 * ring's slots), waiting for the ring to drain after each chunk, so nothing is dropped and the rate
 * is LMK's own (formatting + output on its consumer thread). The time runs until every line is in
 * the file; the line count of the file is checked.
 *
 * <p>Why not {@code HIQ_RING_POLICY=block}: with Disruptor 4 a producer blocked on a full ring has
 * already claimed its sequence, and the other consumer (the tree assembler), having caught up,
 * then spins at 100% CPU in {@code getHighestPublishedSequence} until the slot is published,
 * taking a core from LMK on a 2-core machine.
 *
 * <p>Outputs measured: {@code path} ({@code LMK_PATH}, LMK's own buffered writer),
 * {@code logback-async} (a private logback context from {@code HIQ_LMK_CONFIG}: AsyncAppender →
 * FileAppender, the configuration the issue asks to measure), {@code logback-file} (FileAppender
 * with {@code immediateFlush=false}, flushed by LMK per batch, as deploy/logback-lmk.xml does).
 *
 * <p>Run: {@code java -XX:+EnableDynamicAgentLoading -Djdk.attach.allowAttachSelf=true -cp
 * hiq-bench/target/benchmarks.jar io.hiq.bench.lmk.LmkThroughputMain [operations] [rounds]}.
 */
public final class LmkThroughputMain {
    private LmkThroughputMain() {}

    /** Operations between two waits for the ring to drain (the ring has 65 536 slots, one per root). */
    private static final int CHUNK = 20_000;

    public static void main(String[] args) throws Exception {
        int ops = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("hiq-lmk-bench");
        String[] outputs = {"path", "logback-file", "logback-async"};
        Map<String, List<Double>> rates = new HashMap<>();
        // a short warm-up of each output, then interleaved rounds so machine noise hits all alike
        for (String o : outputs) run(o, dir, Math.max(ops / 10, 10_000));
        for (int r = 0; r < rounds; r++) {
            for (String o : outputs) {
                double linesPerSecond = run(o, dir, ops);
                rates.computeIfAbsent(o, k -> new ArrayList<>()).add(linesPerSecond);
                System.out.printf(Locale.ROOT, "round %d %-14s %,12.0f lines/s%n", r + 1, o, linesPerSecond);
            }
        }
        System.out.printf(Locale.ROOT, "%nLMK lines/s to a file (%d ops x 6 lines, %d rounds, median):%n", ops, rounds);
        for (String o : outputs) {
            List<Double> v = new ArrayList<>(rates.get(o));
            v.sort(null);
            System.out.printf(Locale.ROOT, "  %-14s median %,12.0f   min %,12.0f   max %,12.0f%n", o, v.get(v.size() / 2), v.get(0), v.get(v.size() - 1));
        }
    }

    private static double run(String output, Path dir, int ops) throws IOException {
        Path file = dir.resolve(output + ".log");
        Files.deleteIfExists(file);
        Map<String, String> s = new HashMap<>();
        s.put("LMK", "1");
        s.put("HIQ_HOME", dir.toString());
        s.put("HIQ_AGENT", "1"); // never look at this JVM's own logging: LMK's outputs only
        switch (output) {
            case "path" -> s.put("LMK_PATH", file.toString());
            case "logback-file" -> s.put("HIQ_LMK_CONFIG", config(dir, output, """
                    <configuration>
                      <appender name="F" class="ch.qos.logback.core.FileAppender">
                        <file>%s</file>
                        <immediateFlush>false</immediateFlush>
                        <bufferSize>256KB</bufferSize>
                        <encoder><pattern>%%msg%%n</pattern><charset>UTF-8</charset></encoder>
                      </appender>
                      <logger name="hiq.lmk" level="INFO" additivity="false"><appender-ref ref="F"/></logger>
                    </configuration>
                    """.formatted(file)).toString());
            case "logback-async" -> s.put("HIQ_LMK_CONFIG", config(dir, output, """
                    <configuration>
                      <appender name="F" class="ch.qos.logback.core.FileAppender">
                        <file>%s</file>
                        <immediateFlush>false</immediateFlush>
                        <bufferSize>256KB</bufferSize>
                        <encoder><pattern>%%msg%%n</pattern><charset>UTF-8</charset></encoder>
                      </appender>
                      <appender name="A" class="ch.qos.logback.classic.AsyncAppender">
                        <appender-ref ref="F"/>
                        <queueSize>65536</queueSize>
                        <discardingThreshold>0</discardingThreshold>
                        <neverBlock>false</neverBlock>
                        <maxFlushTime>30000</maxFlushTime>
                      </appender>
                      <logger name="hiq.lmk" level="INFO" additivity="false"><appender-ref ref="A"/></logger>
                    </configuration>
                    """.formatted(file)).toString());
            default -> throw new IllegalArgumentException(output);
        }
        s.put("HIQ_FLUSH_TIMEOUT", "60");
        io.hiq.bench.Workload target = new io.hiq.bench.Workload();
        long dropped;
        long t0 = System.nanoTime();
        try (HiQ hiq = HiQ.builder()
                .conf(List.of(
                        List.of("io.hiq.bench", "Workload", "outer", "outer"),
                        List.of("io.hiq.bench", "Workload", "inner", "inner")))
                .settings(Settings.of(s)).maxTrees(0).start()) {
            t0 = System.nanoTime(); // attach and instrumentation are not LMK's cost
            int x = 0;
            for (int i = 0; i < ops; i++) {
                x += target.outer(i);
                if (i % CHUNK == CHUNK - 1) hiq.runtime().awaitQuiescent(System.nanoTime() + 60_000_000_000L);
            }
            if (x == 42) System.out.print(""); // keep the result alive
            hiq.runtime().awaitQuiescent(System.nanoTime() + 60_000_000_000L);
            dropped = hiq.runtime().counters().get(HiQRuntime.DROPPED);
        }
        long elapsed = System.nanoTime() - t0;
        long lines = countLines(file);
        long expected = 6L * ops;
        if (lines != expected || dropped != 0) {
            System.out.printf("  %s: %d lines in the file, expected %d (dropped %d)%n", output, lines, expected, dropped);
        }
        Files.deleteIfExists(file);
        return lines * 1e9 / elapsed;
    }

    private static Path config(Path dir, String name, String xml) throws IOException {
        Path p = dir.resolve(name + ".xml");
        Files.writeString(p, xml);
        return p;
    }

    private static long countLines(Path file) throws IOException {
        long n = 0;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int r; (r = in.read(buf)) > 0; ) for (int i = 0; i < r; i++) if (buf[i] == '\n') n++;
        }
        return n;
    }
}
