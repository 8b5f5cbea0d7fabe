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

/** The agent jar, as a user runs it through {@code bin/hiq run}, on a program built outside this repository. */
class AgentIT {
    static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
    static final Path BIN_HIQ = REPO.resolve("bin/hiq");

    @TempDir static Path work;
    static ExternalProgram program;
    static ExternalProgram plugins;

    static final String SHOP = """
            package shop;
            import java.net.URL;
            import java.net.URLClassLoader;
            public class Shop {
                public static void main(String[] args) throws Exception {
                    Shop s = new Shop();
                    int total = 0;
                    for (int i = 0; i < 3; i++) total += s.order(i);
                    System.out.println("total=" + total);
                    try { s.refund(); } catch (IllegalStateException e) { System.out.println("refund failed"); }
                    // a class of the application's own class loader (plugins are not on the class path)
                    try (URLClassLoader own = new URLClassLoader(new URL[] {new java.io.File(args[0]).toURI().toURL()}, Shop.class.getClassLoader())) {
                        Object p = own.loadClass("shop.Plugin").getDeclaredConstructor().newInstance();
                        System.out.println("plugin=" + p.getClass().getMethod("run").invoke(p));
                    }
                    System.exit(total == 8 ? 7 : 1);
                }
                int order(int i) { return price(i) + tax(i, "eur"); }
                private int price(int i) { return i + 1; }
                static int tax(int i, String currency) { return i == 0 ? 0 : 1; }
                static int tax(int i) { return 100; }
                void refund() { price(0); throw new IllegalStateException("no refunds"); }
            }
            """;
    static final String PLUGIN = """
            package shop;
            public class Plugin {
                public String run() { return helper() + "!"; }
                String helper() { return "ok"; }
            }
            """;

    @BeforeAll
    static void build() throws Exception {
        assertThat(Path.of(System.getProperty("hiq.agent.jar"))).exists();
        program = new ExternalProgram(work.resolve("shop")).compile(Map.of("shop/Shop.java", SHOP));
        plugins = new ExternalProgram(work.resolve("plugins")).compile(Map.of("shop/Plugin.java", PLUGIN));
    }

    private static ExternalProgram.Result runShop(Path conf, List<String> hiqOptions, Map<String, String> env) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(BIN_HIQ.toString(), "run", "--conf", conf.toString()));
        cmd.addAll(hiqOptions);
        cmd.addAll(List.of("--", "-cp", program.classes().toString(), "shop.Shop", plugins.classes().toString()));
        return ExternalProgram.run(cmd, env, work);
    }

    private static ExternalProgram.Result runUntraced() throws Exception {
        return ExternalProgram.run(List.of(ExternalProgram.java(), "-cp", program.classes().toString(), "shop.Shop",
                plugins.classes().toString()), Map.of(), work);
    }

    private static List<HiQTree> readTrees(Path file) throws Exception {
        List<HiQTree> trees = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) trees.add(TreeCodec.decode(line));
        return trees;
    }

    @Test
    void tracesExactlyTheListedMethodsAndLeavesTheProgramUnchanged() throws Exception {
        Path conf = work.resolve("shop.conf");
        Files.writeString(conf, """
                # the shop's methods
                shop, Shop, order, order
                shop, Shop, price, price
                shop, Shop, "tax(int,java.lang.String)", tax
                shop, Shop, refund, refund
                shop.Plugin, , run, plugin_run
                shop.Plugin, , helper, plugin_helper
                """);
        Path trees = work.resolve("trees-1.jsonl");
        ExternalProgram.Result plain = runUntraced();
        ExternalProgram.Result traced = runShop(conf, List.of("--mode", "verbose", "--trees", trees.toString(), "--show"),
                Map.of("HIQ_HOME", work.resolve("home").toString(), "HIQ_SERVICE", "shop"));

        assertThat(traced.exitCode()).isEqualTo(plain.exitCode()).isEqualTo(7);
        assertThat(traced.stdout()).isEqualTo(plain.stdout());
        assertThat(traced.stderr()).doesNotContain("could not").doesNotContain("warning");

        List<HiQTree> all = readTrees(trees);
        assertThat(all).extracting(t -> t.root().name()).containsExactly("order", "order", "order", "refund", "plugin_run");
        for (int i = 0; i < 3; i++) {
            HiQTree order = all.get(i);
            assertThat(order.service()).isEqualTo("shop");
            assertThat(order.thread()).isEqualTo("main");
            // tax(int) is another overload: not traced
            assertThat(order.root().children()).extracting(HiQNode::name).containsExactly("price", "tax");
        }
        HiQNode refund = all.get(3).root();
        assertThat(refund.extra()).containsEntry("exception", "java.lang.IllegalStateException: no refunds");
        assertThat(refund.children()).extracting(HiQNode::name).containsExactly("price");
        assertThat(all.get(4).root().children()).extracting(HiQNode::name).containsExactly("plugin_helper");

        // show=true renders every kept tree on stderr in the B5c layout
        assertThat(traced.stderr().lines().filter(l -> l.contains("_root_time(")).count()).isEqualTo(5);
        assertThat(traced.stderr()).contains("l_[order] (").contains("|_[price] (").contains("l_[tax] (");
    }

    @Test
    void optionsComeFromEnvironmentVariablesToo() throws Exception {
        Path conf = work.resolve("env.conf");
        Files.writeString(conf, "shop, Shop, order, order\nshop, Shop, price, price\n");
        Path trees = work.resolve("trees-env.jsonl");
        ExternalProgram.Result r = runShop(conf, List.of(), Map.of("HIQ_HOME", work.resolve("home").toString(),
                "HIQ_TREES_FILE", trees.toString(), "HIQ_MODE", "debug", "HIQ_METRICS", "time+memory"));
        assertThat(r.exitCode()).isEqualTo(7);
        List<HiQTree> all = readTrees(trees);
        assertThat(all).hasSize(4).allSatisfy(t -> {
            assertThat(t.mode()).isEqualTo("debug");
            assertThat(t.metric()).isEqualTo("time");
            assertThat(t.root().values()).containsKeys("time", "memory");
        });
        assertThat(all.subList(0, 3)).allSatisfy(t -> assertThat(t.root().children()).hasSize(1));
    }

    @Test
    void aBrokenConfPrintsOneErrorAndTheProgramRunsUntraced() throws Exception {
        Path conf = work.resolve("broken.conf");
        Files.writeString(conf, "shop, Shop, order, order\nshop, Shop, price\n");
        Path trees = work.resolve("trees-broken.jsonl");
        ExternalProgram.Result plain = runUntraced();
        ExternalProgram.Result r = runShop(conf, List.of("--trees", trees.toString()), Map.of("HIQ_HOME", work.resolve("home").toString()));
        assertThat(r.exitCode()).isEqualTo(plain.exitCode());
        assertThat(r.stdout()).isEqualTo(plain.stdout());
        assertThat(r.stderr().lines().toList()).singleElement()
                .satisfies(l -> assertThat(l).startsWith("hiq: " + conf + ":2: field '"));
        assertThat(trees).doesNotExist();
    }

    @Test
    void anEntryThatNeverMatchesIsWarnedAboutOnce() throws Exception {
        Path conf = work.resolve("unmatched.conf");
        Files.writeString(conf, "shop, Shop, order, order\nshop, Shop, nothing, nothing\nshop, Missing, run, missing_run\n");
        ExternalProgram.Result r = runShop(conf, List.of(), Map.of("HIQ_HOME", work.resolve("home").toString()));
        assertThat(r.exitCode()).isEqualTo(7);
        List<String> warnings = r.stderr().lines().filter(l -> l.startsWith("hiq: warning:")).toList();
        assertThat(warnings).hasSize(2);
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains(":2:").contains("'nothing'"));
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains(":3:").contains("shop.Missing"));
    }

    @Test
    void showRendersATreesFile() throws Exception {
        Path conf = work.resolve("show.conf");
        Files.writeString(conf, "shop, Shop, order, order\nshop, Shop, price, price\n");
        Path trees = work.resolve("trees-show.jsonl");
        runShop(conf, List.of("--trees", trees.toString()), Map.of("HIQ_HOME", work.resolve("home").toString()));
        Files.writeString(trees, "not a tree\n", java.nio.file.StandardOpenOption.APPEND);
        ExternalProgram.Result r = ExternalProgram.run(List.of(BIN_HIQ.toString(), "show", trees.toString()), Map.of(), work);
        assertThat(r.exitCode()).isZero();
        // three orders, and refund's price() call, a root of its own since refund is not traced here
        assertThat(r.stdout().lines().filter(l -> l.contains("_root_time(")).count()).isEqualTo(4);
        assertThat(r.stderr()).contains(trees + ":5: not a HiQ tree");
    }
}
