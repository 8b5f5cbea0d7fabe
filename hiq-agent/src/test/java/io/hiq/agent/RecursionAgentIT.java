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
 * Issue 11, acceptance line 2, first half: {@code java -javaagent:…} on a program not in this
 * repository whose traced recursion overflows the stack three times (the error is caught by
 * untraced code); every root after that must still become a tree, and the output must be that of
 * the program without the agent.
 */
class RecursionAgentIT {
    static final int LATER_ROOTS = 1000;

    @TempDir static Path work;
    static ExternalProgram program;

    static final String DEEP = """
            package deep;
            public class Deep {
                public static void main(String[] args) {
                    int overflows = 0;
                    for (int i = 0; i < 3; i++) {
                        try {
                            descend(0);
                        } catch (StackOverflowError e) {
                            overflows++; // untraced code catches what traced recursion threw
                        }
                    }
                    System.out.println("overflows=" + overflows);
                    long sum = 0;
                    for (int i = 0; i < %d; i++) sum += order(i);
                    System.out.println("sum=" + sum);
                }
                static int descend(int depth) { return descend(depth + 1) + 1; }
                static long order(int i) { return price(i) + price(i + 1); }
                static long price(int i) { long x = i; for (int k = 0; k < 200; k++) x = x * 31 + k; return x & 0xff; }
            }
            """.formatted(LATER_ROOTS);

    @BeforeAll
    static void build() throws Exception {
        assertThat(Path.of(System.getProperty("hiq.agent.jar"))).exists();
        program = new ExternalProgram(work.resolve("deep")).compile(Map.of("deep/Deep.java", DEEP));
    }

    @Test
    void afterThreeStackOverflowsThroughTracedRecursionEveryLaterRootIsATree() throws Exception {
        Path conf = work.resolve("deep.conf");
        Files.writeString(conf, "deep, Deep, descend, descend\ndeep, Deep, order, order\ndeep, Deep, price, price\n");
        Path trees = work.resolve("trees.jsonl");
        List<String> app = List.of("-cp", program.classes().toString(), "deep.Deep");

        ExternalProgram.Result plain = ExternalProgram.run(concat(List.of(ExternalProgram.java()), app), Map.of(), work);
        ExternalProgram.Result traced = ExternalProgram.run(concat(List.of(ExternalProgram.java(),
                        "-javaagent:" + System.getProperty("hiq.agent.jar") + "=conf=" + conf + ",mode=verbose,trees=" + trees), app),
                Map.of("HIQ_HOME", work.resolve("home").toString()), work);

        assertThat(plain.exitCode()).isZero();
        assertThat(plain.stdout()).isEqualTo("overflows=3\nsum=" + plain.stdout().substring(plain.stdout().indexOf("sum=") + 4));
        assertThat(traced.exitCode()).as("exit code; stderr: %s", traced.stderr()).isZero();
        assertThat(traced.stdout()).isEqualTo(plain.stdout());

        List<HiQTree> all = new ArrayList<>();
        for (String line : Files.readAllLines(trees, StandardCharsets.UTF_8)) all.add(TreeCodec.decode(line));
        List<HiQTree> finals = all.stream().filter(t -> !t.partial()).toList();
        // the three overflowing recursions first (each closed, whatever their flags), then every order
        assertThat(finals).as("root names in order").extracting(t -> t.root().name())
                .containsExactlyElementsOf(expectedNames());
        for (HiQTree t : finals.subList(3, finals.size())) {
            assertThat(t.broken()).as("tree %s broken", t.id()).isFalse();
            assertThat(t.truncated()).isFalse();
            assertThat(t.root().children()).extracting(HiQNode::name).containsExactly("price", "price");
        }
        // the recursion's trees: nested no deeper than readers accept (calls below are folded and
        // counted, the tree flagged truncated), so the trees file above decoded at all
        for (HiQTree t : finals.subList(0, 3)) {
            assertThat(t.truncated()).as("recursion tree %s truncated", t.id()).isTrue();
            assertThat(t.root().size()).isLessThanOrEqualTo(io.hiq.tree.TreeCodec.MAX_DEPTH + 1);
        }
    }

    private static List<String> expectedNames() {
        List<String> names = new ArrayList<>(List.of("descend", "descend", "descend"));
        for (int i = 0; i < LATER_ROOTS; i++) names.add("order");
        return names;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
