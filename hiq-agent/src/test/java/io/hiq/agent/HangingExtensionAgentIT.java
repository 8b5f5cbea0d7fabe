package io.hiq.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "The hot path never blocks the application", in agent mode: an extension whose start hangs (as a
 * Kafka producer or a logging configuration may) must not block the application's traced calls.
 * The agent builds its ring at the first publish, with the consumers the extensions add while they
 * start; an extension jar in {@code HIQ_EXT_DIR} here hangs in {@code start} until the program,
 * after its traced roots, releases it (or 30 s pass). The roots must complete while it hangs, then
 * reach the trees file and the extension's own span handler, or be counted as dropped when the
 * thread's buffer could not hold them: exactly.
 *
 * <p>Before the fix, the program's first publish built the ring and waited for the extension's
 * start: the roots took the extension's whole 30 s (checked: both tests failed on it).
 */
class HangingExtensionAgentIT {
    /** The extension waits at most this long for its release, so that the old code ends too. */
    static final int HANG_SECONDS = 30;
    /** Generous: the roots take milliseconds; only waiting for the hanging start takes 30 s. */
    static final long BOUND_MS = 20_000;
    static final int ROOTS = 500;

    @TempDir static Path work;
    static ExternalProgram app;
    static Path extDir;

    static final String EXTENSION = """
            package hang;

            import io.hiq.core.event.SpanBatch;
            import io.hiq.core.spi.HiQContext;
            import io.hiq.core.spi.HiQExtension;
            import java.nio.file.Files;
            import java.nio.file.Path;
            import java.util.concurrent.atomic.AtomicLong;

            public class HangingExtension implements HiQExtension {
                private final AtomicLong records = new AtomicLong();

                @Override public String name() { return "hang"; }

                @Override
                public boolean start(HiQContext context) {
                    if (!"hang".equals(context.settings().get("TRACE_TYPE", ""))) return false;
                    Path release = Path.of(System.getenv("HANG_RELEASE"));
                    long until = System.nanoTime() + %d_000_000_000L;
                    // a start that hangs (a broker that does not answer) until the program releases it
                    while (!Files.exists(release) && System.nanoTime() - until < 0) {
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException e) {
                            return false;
                        }
                    }
                    context.addSpanHandler((batch, end) -> {
                        for (int i = 0; i < batch.size(); i++) {
                            int k = batch.kind(i);
                            if (k == SpanBatch.ENTER || k == SpanBatch.EXIT) records.incrementAndGet();
                        }
                    });
                    return true;
                }

                @Override
                public void close() { System.err.println("hang-extension: records=" + records.get()); }
            }
            """.formatted(HANG_SECONDS);

    static final String APP = """
            package app;

            import java.nio.file.Files;
            import java.nio.file.Path;

            public class App {
                public static void main(String[] args) throws Exception {
                    int n = Integer.parseInt(args[0]);
                    long t0 = System.nanoTime();
                    long s = 0;
                    for (int i = 0; i < n; i++) s += outer(i);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    System.out.println("roots=" + n + " ms=" + ms + " sum=" + s);
                    if (args.length == 1) Files.createFile(Path.of(System.getenv("HANG_RELEASE"))); // else it hangs on
                }
                static long outer(int i) { return inner(i) + 1; }
                static long inner(int i) { return i * 31L; }
            }
            """;

    @BeforeAll
    static void build() throws Exception {
        Path agent = Path.of(System.getProperty("hiq.agent.jar"));
        assertThat(agent).exists();
        app = new ExternalProgram(work.resolve("app")).compile(Map.of("app/App.java", APP));
        ExternalProgram ext = new ExternalProgram(work.resolve("ext")).compile(Map.of("hang/HangingExtension.java", EXTENSION), agent.toString());
        extDir = Files.createDirectories(work.resolve("ext-dir"));
        jar(ext.classes(), extDir.resolve("hang-ext.jar"), "hang.HangingExtension");
    }

    /** The compiled classes under {@code classes} as a jar whose service file names {@code extension}. */
    private static void jar(Path classes, Path jar, String extension) throws IOException {
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("META-INF/services/io.hiq.core.spi.HiQExtension"));
            out.write((extension + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
    }

    /** One run: the program's own measure of its roots, the trees written, and stderr. */
    private record Run(long rootsMs, long trees, String stderr) {}

    private static Run run(String label, Map<String, String> extraEnv, String... appArgs) throws Exception {
        Path conf = work.resolve("app.conf");
        Files.writeString(conf, "app, App, outer, outer\napp, App, inner, inner\n");
        Path trees = work.resolve(label + ".jsonl");
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "HIQ_HOME", work.resolve("home-" + label).toString(),
                "HIQ_EXT_DIR", extDir.toString(),
                "TRACE_TYPE", "hang",
                "HANG_RELEASE", work.resolve("release-" + label).toString()));
        env.putAll(extraEnv);
        List<String> command = new java.util.ArrayList<>(List.of(ExternalProgram.java(),
                "-javaagent:" + System.getProperty("hiq.agent.jar") + "=conf=" + conf + ",mode=verbose,trees=" + trees,
                "-cp", app.classes().toString(), "app.App", Integer.toString(ROOTS)));
        command.addAll(List.of(appArgs));
        ExternalProgram.Result r = ExternalProgram.run(command, env, work, 180);
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.stderr()).isZero();
        Matcher m = Pattern.compile("roots=(\\d+) ms=(\\d+)").matcher(r.stdout());
        assertThat(m.find()).as("the program's output: %s", r.stdout()).isTrue();
        long ms = Long.parseLong(m.group(2));
        long written = Files.exists(trees) ? Files.readAllLines(trees, StandardCharsets.UTF_8).size() : 0;
        System.out.printf("HangingExtensionAgentIT: %s: %d roots in %d ms while the extension's start hung; %d trees written%n",
                label, ROOTS, ms, written);
        return new Run(ms, written, r.stderr());
    }

    private static long handlerRecords(String stderr) {
        Matcher m = Pattern.compile("hang-extension: records=(\\d+)").matcher(stderr);
        assertThat(m.find()).as("the extension started and closed; stderr: %s", stderr).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void rootsCompleteWhileAnExtensionsStartHangsAndAllArriveAfterIt() throws Exception {
        Run r = run("fits", Map.of());
        assertThat(r.rootsMs()).as("ms for the roots, while the extension's start hung; stderr: %s", r.stderr())
                .isLessThan(BOUND_MS);
        // 500 roots of 4 records: the thread's buffer (4 096) held them all until the ring was built
        assertThat(r.trees()).as("trees written; stderr: %s", r.stderr()).isEqualTo(ROOTS);
        assertThat(handlerRecords(r.stderr())).as("records the extension's span handler saw").isEqualTo(4L * ROOTS);
        assertThat(r.stderr()).doesNotContain("hiq: exit:");
    }

    @Test
    void whatTheBufferCannotHoldWhileTheStartHangsIsCountedExactly() throws Exception {
        Run r = run("overflow", Map.of("HIQ_BUFFER_SIZE", "256"));
        assertThat(r.rootsMs()).as("ms for the roots, while the extension's start hung; stderr: %s", r.stderr())
                .isLessThan(BOUND_MS);
        // short roots that found the buffer full are dropped whole, and said at exit with their records
        Matcher m = Pattern.compile("hiq: exit: (\\d+) tree\\(s\\) dropped because the ring was full \\((\\d+) records;").matcher(r.stderr());
        assertThat(m.find()).as("the drops said at exit; stderr: %s", r.stderr()).isTrue();
        long droppedTrees = Long.parseLong(m.group(1)), droppedRecords = Long.parseLong(m.group(2));
        assertThat(droppedTrees).isPositive();
        assertThat(r.trees() + droppedTrees).as("trees written + dropped").isEqualTo(ROOTS);
        assertThat(handlerRecords(r.stderr()) + droppedRecords).as("records handled + dropped").isEqualTo(4L * ROOTS);
    }

    /**
     * The start never ends before the exit (which waits 10 s for it): the ring (whose consumers
     * include the extension's) is never built, and nothing is lost silently — the exit says why,
     * and counts every tree and record as dropped. (On the old code the program's roots waited for
     * the start.)
     */
    @Test
    void aStartThatHangsPastTheExitIsSaidAndEveryRootCountedAsDropped() throws Exception {
        Run r = run("never", Map.of("HIQ_FLUSH_TIMEOUT", "2"), "keep-hanging");
        assertThat(r.rootsMs()).as("ms for the roots, while the extension's start hung; stderr: %s", r.stderr())
                .isLessThan(BOUND_MS);
        assertThat(r.trees()).as("trees written").isZero();
        assertThat(r.stderr()).contains("hiq: exit: the extensions were still starting 10.0 s after the exit began")
                .contains("hiq: exit: " + ROOTS + " tree(s) dropped because the ring was full (" + 4 * ROOTS + " records;")
                .doesNotContain("hang-extension:");
    }
}
