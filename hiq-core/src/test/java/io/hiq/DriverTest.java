package io.hiq;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.core.runtime.Settings;
import io.hiq.core.testapp.Target;
import io.hiq.core.tree.Mode;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriverTest {
    @TempDir Path home;

    private HiQ.Builder builder(List<List<String>> conf) {
        return HiQ.builder().conf(conf).settings(Settings.of(Map.of("HIQ_HOME", home.toString()))).service("driver-test");
    }

    private static final List<List<String>> GUIDE = List.of(
            List.of("io.hiq.core.testapp", "Target", "main", "main"),
            List.of("io.hiq.core.testapp", "Target", "func1", "func1"),
            List.of("io.hiq.core.testapp", "Target", "func2", "func2"));

    @Test
    void guideExampleNestsAndRendersInThePythonLayout() {
        try (HiQ hiq = builder(GUIDE).start()) {
            Target.main(new String[0]);
            List<HiQTree> trees = hiq.trees();
            assertThat(trees).hasSize(1);
            HiQTree t = trees.get(0);
            assertThat(t.service()).isEqualTo("driver-test");
            assertThat(t.metric()).isEqualTo("time");
            HiQNode main = t.root();
            assertThat(main.name()).isEqualTo("main");
            assertThat(main.children()).extracting(HiQNode::name).containsExactly("func1");
            HiQNode func1 = main.children().get(0);
            assertThat(func1.children()).extracting(HiQNode::name).containsExactly("func2");
            HiQNode func2 = func1.children().get(0);
            assertThat(func2.span()).isGreaterThanOrEqualTo(1_000_000L);
            assertThat(func1.span()).isGreaterThanOrEqualTo(3_000_000L);
            assertThat(main.start()).isLessThanOrEqualTo(func1.start());
            assertThat(func2.end()).isLessThanOrEqualTo(main.end());

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            hiq.show(new PrintStream(out, true, StandardCharsets.UTF_8));
            String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
            assertThat(lines).hasSize(5);
            String ts = "\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} - \\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\] ";
            assertThat(lines[0]).matches(ts + "\\[100\\.00%\\] \uD83D\uDFE2_root_time\\(\\d+\\.\\d{4}\\)");
            assertThat(lines[1]).matches(" +\\[OH:\\d+us\\]");
            assertThat(lines[2]).matches(ts + "\\[100\\.00%\\] l_\\[main\\] \\(\\d+\\.\\d{6}\\)");
            assertThat(lines[3]).matches(ts + "\\[ *\\d+\\.\\d\\d%\\]    l_\\[func1\\] \\(\\d+\\.\\d{6}\\)");
            assertThat(lines[4]).matches(ts + "\\[ *\\d+\\.\\d\\d%\\]       l_\\[func2\\] \\(\\d+\\.\\d{6}\\)");
        }
    }

    @Test
    void recursionBuildsOneNodePerCall() {
        try (HiQ hiq = builder(List.of(List.of("io.hiq.core.testapp.Target", "", "fib", "fib"))).mode(Mode.VERBOSE).start()) {
            Target.fib(10);
            List<HiQTree> trees = hiq.trees();
            assertThat(trees).hasSize(1);
            // fib(10) makes 177 calls
            assertThat(trees.get(0).root().size()).isEqualTo(177);
            assertThat(depth(trees.get(0).root())).isEqualTo(10);
        }
    }

    @Test
    void exceptionClosesTheNodeAndTheTreeCompletes() {
        try (HiQ hiq = builder(List.of(
                List.of("io.hiq.core.testapp", "Target", "catching", "catching"),
                List.of("io.hiq.core.testapp", "Target", "failing", "failing"),
                List.of("io.hiq.core.testapp", "Target", "func2", "func2"))).start()) {
            Target.catching();
            List<HiQTree> trees = hiq.trees();
            assertThat(trees).hasSize(1);
            HiQNode catching = trees.get(0).root();
            assertThat(catching.extra()).isEmpty();
            HiQNode failing = catching.children().get(0);
            assertThat(failing.name()).isEqualTo("failing");
            assertThat(failing.extra()).containsEntry("exception", "java.lang.IllegalStateException: boom");
            assertThat(failing.children()).extracting(HiQNode::name).containsExactly("func2");
        }
    }

    @Test
    void conciseDropsZeroSpanLeavesVerboseKeepsThem() {
        List<List<String>> conf = List.of(
                List.of("io.hiq.core.testapp", "Target", "work", "work"),
                List.of("io.hiq.core.testapp", "Target", "leaf", "leaf"));
        Target target = new Target();
        try (HiQ hiq = builder(conf).mode(Mode.CONCISE).start()) {
            for (int i = 0; i < 200; i++) target.work(3);
            List<HiQTree> trees = hiq.trees();
            assertThat(trees).hasSize(200);
            // concise keeps a leaf only when it is not a zero-span node (>= 100 ns)
            assertThat(trees).allSatisfy(t -> {
                assertThat(t.mode()).isEqualTo("concise");
                for (HiQNode leaf : t.root().children()) assertThat(leaf.span()).isGreaterThanOrEqualTo(100);
            });
        }
        try (HiQ hiq = builder(conf).mode(Mode.VERBOSE).start()) {
            for (int i = 0; i < 200; i++) target.work(3);
            assertThat(hiq.trees()).hasSize(200).allSatisfy(t -> assertThat(t.root().children()).hasSize(1));
        }
    }

    @Test
    void untracedCodeBetweenTracedCallsIsInvisible() {
        try (HiQ hiq = builder(List.of(List.of("io.hiq.core.testapp", "Target", "work", "work"))).start()) {
            assertThat(new Target().work(5)).isEqualTo(20);
            assertThat(hiq.trees()).singleElement().satisfies(t -> {
                assertThat(t.root().name()).isEqualTo("work");
                assertThat(t.root().children()).isEmpty();
            });
        }
    }

    @Test
    void aBrokenConfRunsUntracedWithOneErrorLine() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (HiQ hiq = HiQ.builder().conf(home.resolve("missing.conf")).errors(new PrintStream(err, true, StandardCharsets.UTF_8)).start()) {
            Target.main(new String[0]);
            assertThat(hiq.trees()).isEmpty();
            assertThat(hiq.isEnabled()).isFalse();
        }
        assertThat(err.toString(StandardCharsets.UTF_8).trim().lines()).singleElement()
                .satisfies(l -> assertThat(l).startsWith("hiq: " + home.resolve("missing.conf")));
    }

    @Test
    void spansFromCodeAndExtrasJoinTheTree() {
        try (HiQ hiq = builder(GUIDE).start()) {
            try (var request = HiQ.span("request")) {
                HiQ.extra("order", 42L);
                Target.main(new String[0]);
                try (var failing = HiQ.span("phase")) {
                    failing.fail(new IllegalArgumentException("bad"));
                }
            }
            HiQ.extra("ignored", "outside any span");
            HiQTree t = hiq.trees().get(0);
            assertThat(t.root().name()).isEqualTo("request");
            assertThat(t.root().extra()).containsEntry("order", 42L).doesNotContainKey("ignored");
            assertThat(t.root().children()).extracting(HiQNode::name).containsExactly("main", "phase");
            assertThat(t.root().children().get(1).extra()).containsEntry("exception", "java.lang.IllegalArgumentException: bad");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HiQ.span("a-b")).isInstanceOf(IllegalArgumentException.class);
    }

    private static int depth(HiQNode n) {
        int d = 0;
        for (HiQNode c : n.children()) d = Math.max(d, depth(c));
        return d + 1;
    }
}
