package io.hiq.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/hiq show} on real files that are not what it expects: one line, no library internals. */
class ShowMainTest {
    @TempDir Path dir;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int show(String... args) {
        return ShowMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String errText() { return err.toString(StandardCharsets.UTF_8); }

    private void assertOneLineWithoutInternals() {
        assertThat(errText().lines()).hasSize(1).allSatisfy(l -> assertThat(l).startsWith("hiq show: ")
                .doesNotContain("Input length").doesNotContain("com.fasterxml").doesNotContain("[Source").doesNotContain("Exception"));
    }

    @Test
    void helpIsUsageOnStdoutAndExitZero() {
        assertThat(show("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: bin/hiq show FILE");
    }

    @Test
    void everyMetricOfATreeIsShownTheTreesOwnFirst() throws Exception {
        HiQNode root = HiQNode.of("main", 1_700_000_000_000_000L, 1_700_000_001_000_000L, 0, 1_000_000_000L)
                .putValues("time", 0, 1_000_000_000L).putValues("memory", 1_000, 2_001_000);
        root.addChild(HiQNode.of("work", 1_700_000_000_100_000L, 1_700_000_000_600_000L, 100_000_000L, 600_000_000L)
                .putValues("time", 100_000_000L, 600_000_000L).putValues("memory", 1_000, 501_000));
        HiQTree tree = HiQTree.builder().id("m").service("s").host("h").pid(1).thread("main").metric("time").unit("ns").root(root).build();
        Path file = dir.resolve("trees.jsonl");
        Files.writeString(file, TreeCodec.encodeToString(tree) + "\n");

        assertThat(show(file.toString())).isZero();
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.stream().filter(l -> l.contains("_root_")).map(l -> l.substring(l.indexOf("_root_"))))
                .containsExactly("_root_time(1.0000)", "_root_memory(2.0000)");
        // the memory block: spans in MB, percentages of the root's allocation
        assertThat(lines.get(lines.size() - 1)).endsWith("[ 25.00%]    l_[work] (0.500000)");
        assertThat(lines.get(3)).endsWith("[ 50.00%]    l_[work] (0.500000)");
        assertThat(errText()).isEmpty();
    }

    @Test
    void aMissingFileIsNamed() {
        assertThat(show(dir.resolve("nope.jsonl").toString())).isEqualTo(2);
        assertOneLineWithoutInternals();
        assertThat(errText()).contains("nope.jsonl: no such file");
    }

    @Test
    void aBinaryFileIsSaidToBeNotText() throws Exception {
        Path bin = dir.resolve("data.bin");
        Files.write(bin, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, (byte) 0x80, (byte) 0xc3, 10});
        assertThat(show(bin.toString())).isEqualTo(2);
        assertOneLineWithoutInternals();
        assertThat(errText()).contains("not a text file of HiQ trees");
    }

    @Test
    void aTruncatedTreeIsOneLineNamingTheLine() throws Exception {
        Path cut = dir.resolve("cut.jsonl");
        Files.writeString(cut, "{\"schema\":\"hiq.tree/1\",\"id\":\"a\",\"service\":\"s\",\"root\":{\"name\":\"ma\n");
        assertThat(show(cut.toString())).isEqualTo(1);
        assertOneLineWithoutInternals();
        assertThat(errText()).contains("cut.jsonl:1: not a HiQ tree");
    }
}
