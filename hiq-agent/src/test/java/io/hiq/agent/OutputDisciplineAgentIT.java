package io.hiq.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 point 5 through {@code bin/hiq run} on a program not in this repository: conf warnings in
 * conf line order, and those that can be known before {@code main} printed before it; {@code --show}
 * renders every metric of a tree.
 */
class OutputDisciplineAgentIT {
    @TempDir static Path work;
    static ExternalProgram program;

    static final String CART = """
            package cart;
            public class Cart {
                public static void main(String[] args) {
                    System.err.println("cart: main started");
                    long total = 0;
                    for (int i = 0; i < 3; i++) total += add(i);
                    System.out.println("total=" + total);
                }
                static long add(int i) { return price(i) + new byte[4096 * (i + 1)].length; }
                static long price(int i) { long x = i; for (int k = 0; k < 20_000; k++) x = x * 31 + k; return x & 0xff; }
                static long price(long l) { return l; }
            }
            """;

    @BeforeAll
    static void build() throws Exception {
        assertThat(Path.of(System.getProperty("hiq.agent.jar"))).exists();
        program = new ExternalProgram(work.resolve("cart")).compile(Map.of("cart/Cart.java", CART));
    }

    private static ExternalProgram.Result run(Path conf, List<String> options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(AgentIT.BIN_HIQ.toString(), "run", "--conf", conf.toString()));
        cmd.addAll(options);
        cmd.addAll(List.of("--", "-cp", program.classes().toString(), "cart.Cart"));
        return ExternalProgram.run(cmd, Map.of("HIQ_HOME", work.resolve("home").toString()), work);
    }

    private static int lineOf(String warning) {
        Matcher m = Pattern.compile("\\.conf:(\\d+): ").matcher(warning);
        assertThat(m.find()).as("a FILE:LINE in %s", warning).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void confWarningsComeInLineOrderAndWhatCanBeKnownEarlyComesBeforeMain() throws Exception {
        Path conf = work.resolve("cart.conf");
        Files.writeString(conf, """
                cart, Cart, add, add
                cart, Gone, run, gone_run
                cart, Cart, ad, typo
                cart, Missing, run, missing_run
                cart, Cart, "price(java.lang.String)", price_string
                cart, Cart, "price(int)", price
                cart, Absent, run, absent_run
                cart, Cart, remove, remove
                """);
        ExternalProgram.Result r = run(conf, List.of());
        assertThat(r.exitCode()).as("stderr: %s", r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("total=");
        List<String> err = r.stderr().lines().toList();
        int main = err.indexOf("cart: main started");
        assertThat(main).as("stderr: %s", r.stderr()).isNotNegative();

        // the conf's missing methods are known from the class files: said before main, in line order
        List<String> early = err.subList(0, main).stream().filter(l -> l.startsWith("hiq: warning: ")).toList();
        assertThat(early).extracting(OutputDisciplineAgentIT::lineOf).containsExactly(3, 5, 8);
        assertThat(early.get(0)).isEqualTo("hiq: warning: " + conf + ":3: method 'ad' not found in class 'cart.Cart'; not traced");
        assertThat(early.get(1)).contains("method 'price(java.lang.String)' not found in class 'cart.Cart'");

        // classes that never loaded are known only at exit: then, in line order, each once
        List<String> late = err.subList(main + 1, err.size()).stream().filter(l -> l.startsWith("hiq: warning: ")).toList();
        assertThat(late).extracting(OutputDisciplineAgentIT::lineOf).containsExactly(2, 4, 7);
        assertThat(late.get(0)).isEqualTo("hiq: warning: " + conf + ":2: class 'cart.Gone' was never loaded (it is not on the class path); 'run' was not traced");
        assertThat(err.stream().filter(l -> l.startsWith("hiq: ") && !l.startsWith("hiq: warning: "))).as("other hiq lines").isEmpty();
    }

    @Test
    void showRendersEveryMetricOfEveryTree() throws Exception {
        Path conf = work.resolve("show.conf");
        Files.writeString(conf, "cart, Cart, add, add\ncart, Cart, \"price(int)\", price\n");
        Path trees = work.resolve("trees.jsonl");
        ExternalProgram.Result r = run(conf, List.of("--mode", "verbose", "--metrics", "time+memory", "--trees", trees.toString(), "--show"));
        assertThat(r.exitCode()).as("stderr: %s", r.stderr()).isZero();
        List<HiQTree> all = new ArrayList<>();
        for (String line : Files.readAllLines(trees, StandardCharsets.UTF_8)) all.add(TreeCodec.decode(line));
        assertThat(all).hasSize(3);

        List<String> roots = r.stderr().lines().filter(l -> l.contains("_root_")).map(l -> l.substring(l.indexOf("_root_"), l.indexOf('('))).toList();
        assertThat(roots).containsExactly("_root_time", "_root_memory", "_root_time", "_root_memory", "_root_time", "_root_memory");
        // the memory block shows each call's allocation in MB: add(i) allocates at least 4096 * (i + 1) bytes
        List<String> memoryOfAdd = new ArrayList<>();
        boolean inMemory = false;
        for (String l : r.stderr().lines().toList()) {
            if (l.contains("_root_")) inMemory = l.contains("_root_memory");
            else if (inMemory && l.contains("l_[add] (")) memoryOfAdd.add(l.substring(l.indexOf("l_[add] (") + 9, l.lastIndexOf(')')));
        }
        assertThat(memoryOfAdd).hasSize(3);
        for (int i = 0; i < 3; i++) {
            long allocated = all.get(i).root().values().get("memory")[1] - all.get(i).root().values().get("memory")[0];
            assertThat(allocated).isGreaterThanOrEqualTo(4096L * (i + 1));
            assertThat(memoryOfAdd.get(i)).isEqualTo(String.format(java.util.Locale.ROOT, "%.6f", allocated / 1e6));
        }
    }
}
