package io.hiq.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A long-lived root under a small heap (issue 11): a program not in this repository whose traced
 * root calls a traced leaf 3 000 000 times, run with {@code java -Xmx128m -javaagent:…}. The
 * assembler keeps the tree bounded (node cap, folded summaries), so the program finishes in seconds
 * with its output unchanged and its tree kept, flagged truncated. A ring too small for the thread
 * costs gaps in the tree (counted in its root's {@code extra.gaps}), never the tree.
 *
 * <p>The agent runs in verbose mode so that every step is accounted for exactly (a kept node, a
 * folded count or a gap count): concise mode drops zero-span leaves, and on JDK 25 C2 may schedule
 * a step's pure arithmetic outside its two clock readings, so that most steps measure 0 ns and the
 * count (and whether the cap is reached at all) would depend on the JIT, not on HiQ.
 */
class LongRootAgentIT {
    static final int CALLS = 3_000_000;

    @TempDir static Path work;
    static ExternalProgram program;

    static final String BATCH = """
            package batch;
            public class Batch {
                public static void main(String[] args) {
                    System.out.println("sum=" + process(%d));
                }
                static long process(int n) {
                    long s = 0;
                    for (int i = 0; i < n; i++) s += step(i);
                    return s;
                }
                /** ~150 ns of arithmetic, so that a step is a real call and not a zero span (< 100 ns). */
                static long step(int i) {
                    long x = i;
                    for (int k = 0; k < 150; k++) x = x * 6364136223846793005L + 1442695040888963407L;
                    return x >>> 60;
                }
            }
            """.formatted(CALLS);

    @BeforeAll
    static void build() throws Exception {
        assertThat(Path.of(System.getProperty("hiq.agent.jar"))).exists();
        program = new ExternalProgram(work.resolve("batch")).compile(Map.of("batch/Batch.java", BATCH));
    }

    private static List<HiQTree> readTrees(Path file) throws Exception {
        List<HiQTree> trees = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) trees.add(TreeCodec.decode(line));
        return trees;
    }

    private static long foldedSteps(HiQNode n) {
        Object folded = n.extra().get("folded");
        if (folded instanceof Map<?, ?> byTag && byTag.get("step") instanceof Map<?, ?> step) return ((Number) step.get("count")).longValue();
        return 0;
    }

    @Test
    void aThreeMillionCallRootUnderASmallHeapFinishesWithItsOutputUnchangedAndATruncatedTree() throws Exception {
        Path conf = work.resolve("batch.conf");
        Files.writeString(conf, "batch, Batch, process, process\nbatch, Batch, step, step\n");
        Path trees = work.resolve("trees.jsonl");
        List<String> java = List.of(ExternalProgram.java(), "-Xmx128m");
        List<String> app = List.of("-cp", program.classes().toString(), "batch.Batch");

        ExternalProgram.Result plain = ExternalProgram.run(concat(java, List.of(), app), Map.of(), work);
        long t0 = System.nanoTime();
        ExternalProgram.Result traced = ExternalProgram.run(concat(java,
                List.of("-javaagent:" + System.getProperty("hiq.agent.jar") + "=conf=" + conf + ",trees=" + trees + ",mode=verbose"), app),
                Map.of("HIQ_HOME", work.resolve("home").toString()), work);
        double seconds = (System.nanoTime() - t0) / 1e9;
        // the figure of this run, in the test's output (measured on a shared, loaded 2-core machine)
        System.out.printf("LongRootAgentIT: %d traced calls under -Xmx128m: %.1f s with the agent (exit %d)%n",
                CALLS, seconds, traced.exitCode());

        assertThat(traced.exitCode()).as("exit code; stderr: %s", traced.stderr()).isZero();
        assertThat(plain.exitCode()).isZero();
        assertThat(traced.stdout()).isEqualTo(plain.stdout()).startsWith("sum=");
        // issue 11's acceptance: <= 30 s (8 s measured on the shared 2-core machine under load)
        assertThat(seconds).as("seconds with the agent, JVM start to exit").isLessThanOrEqualTo(30);
        assertTreeKept(traced, trees, "default ring");
    }

    /**
     * The root's tree is KEPT (issue 11: a full ring costs a gap, never the whole tree): exactly one
     * final tree, truncated, bounded, every step a kept node, a folded summary or counted in a gap;
     * no tree dropped whole, and a gap, if any, said once at exit.
     */
    private static void assertTreeKept(ExternalProgram.Result traced, Path trees, String label) throws Exception {
        assertThat(traced.stderr()).as("no tree dropped whole").doesNotContain("tree(s) dropped because the ring was full");
        List<HiQTree> all = readTrees(trees);
        List<HiQTree> finals = all.stream().filter(t -> !t.partial()).toList();
        assertThat(finals).as("final trees; stderr: %s", traced.stderr()).hasSize(1);
        HiQTree tree = finals.get(0);
        assertThat(tree.root().name()).isEqualTo("process");
        assertThat(tree.truncated()).isTrue();
        assertThat(tree.broken()).isFalse();
        assertThat(tree.dropped()).isZero();
        assertThat(tree.root().size()).isLessThanOrEqualTo(10_000);
        // every step is a kept node, counted in a summary or counted in a gap (verbose mode: no step is
        // pruned for its span). Partial trees of this root count too.
        long kept = 0, folded = foldedSteps(tree.root());
        for (HiQTree t : all) {
            if (t.partial()) assertThat(t.partOf()).isEqualTo(tree.id());
            for (HiQNode c : t.root().children()) if (c.name().equals("step")) kept++;
        }
        long gapCalls = 0, gaps = 0;
        if (tree.root().extra().get("gaps") instanceof Map<?, ?> g) {
            gaps = ((Number) g.get("count")).longValue();
            gapCalls = ((Number) g.get("calls")).longValue();
        }
        boolean gapSaid = traced.stderr().contains("gap(s) in kept trees because the ring was full");
        System.out.printf("LongRootAgentIT: %s: tree kept: %d steps kept, %d folded, %d in %d gap(s); gap line said: %b%n",
                label, kept, folded, gapCalls, gaps, gapSaid);
        assertThat(gapSaid).as("the exit says there were gaps exactly when the tree has some; stderr: %s", traced.stderr())
                .isEqualTo(gaps > 0);
        assertThat(kept + folded + gapCalls).as("steps kept + folded + skipped in gaps").isEqualTo(CALLS);
    }

    private static List<String> concat(List<String> a, List<String> b, List<String> c) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        return all;
    }

    /**
     * A ring far too small for a thread running flat out (1 MiB: 128 slots): before issue 11's last
     * point HiQ dropped the long root's whole tree (seen on JDK 25 even with the default ring); now
     * the ring being full costs gaps in the tree, which is kept.
     */
    @Test
    void withARingFarTooSmallTheRootsTreeIsStillKept() throws Exception {
        Path conf = work.resolve("batch-small-ring.conf");
        Files.writeString(conf, "batch, Batch, process, process\nbatch, Batch, step, step\n");
        Path trees = work.resolve("trees-small-ring.jsonl");
        ExternalProgram.Result traced = ExternalProgram.run(List.of(ExternalProgram.java(), "-Xmx128m",
                        "-javaagent:" + System.getProperty("hiq.agent.jar") + "=conf=" + conf + ",trees=" + trees + ",mode=verbose",
                        "-cp", program.classes().toString(), "batch.Batch"),
                Map.of("HIQ_HOME", work.resolve("home-small").toString(), "HIQ_RING_MEMORY_MB", "1"), work);
        assertThat(traced.exitCode()).as("exit code; stderr: %s", traced.stderr()).isZero();
        assertThat(traced.stdout()).startsWith("sum=");
        assertTreeKept(traced, trees, "1 MiB ring");
    }
}
