package io.hiq.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The garbage-free writer against the former Jackson encoder, byte for byte, and its size limit. */
class TreeJsonWriterTest {
    private static byte[] jackson(HiQTree t) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TreeCodec.encodeWithJackson(t, out);
        return out.toByteArray();
    }

    @Test
    void writesExactlyTheBytesOfTheJacksonEncoder() throws Exception {
        SplittableRandom r = new SplittableRandom(42);
        TreeJsonWriter w = new TreeJsonWriter(64); // small start: growth is exercised too
        for (int i = 0; i < 2_000; i++) {
            HiQTree t = TreeJsonWriterTestTrees.random(r, 1 + r.nextInt(40));
            int n = w.encode(t);
            // Jackson escapes characters outside the BMP as surrogate pairs; the writer emits their
            // UTF-8 (shorter, and what every JSON reader decodes to the same string)
            String expected = new String(jackson(t), StandardCharsets.UTF_8)
                    .replace("\\uD83D\\uDFE2", "\uD83D\uDFE2").replace("\\uD83D\\uDE48", "\uD83D\uDE48");
            assertThat(new String(w.buffer(), 0, n, StandardCharsets.UTF_8)).as("tree %d", i).isEqualTo(expected);
            assertThat(TreeCodec.decode(w.toByteArray()).root().size()).isEqualTo(t.root().size());
        }
    }

    @Test
    void aLoneSurrogateBecomesAQuestionMarkInsteadOfFailingTheTree() throws Exception {
        HiQTree t = HiQTree.builder().id("x").service("s").host("h").thread("t")
                .root(HiQNode.of("r", 1, 2, 3, 4).putExtra("bad", "a\uD800b")).build();
        assertThat(TreeCodec.decode(TreeCodec.encode(t)).root().extra()).containsEntry("bad", "a?b");
    }

    @Test
    void stopsAsSoonAsTheLimitIsPassedAndKeepsNoHugeBuffer() {
        HiQNode root = HiQNode.of("r", 1, 2, 3, 4);
        for (int i = 0; i < 200_000; i++) root.addChild(HiQNode.of("child", i, i + 1, i, i + 1));
        HiQTree big = HiQTree.builder().id("x").service("s").host("h").thread("t").root(root).build();
        TreeJsonWriter w = new TreeJsonWriter();
        assertThatThrownBy(() -> w.encode(big, 100_000)).isInstanceOf(TreeTooLargeException.class);
        assertThat(w.buffer().length).as("buffer after refusing an oversized tree").isLessThanOrEqualTo(200_000);

        HiQTree hugeString = HiQTree.builder().id("x").service("s").host("h").thread("t")
                .root(HiQNode.of("r", 1, 2, 3, 4).putExtra("blob", "x".repeat(5_000_000))).build();
        TreeJsonWriter w2 = new TreeJsonWriter();
        assertThatThrownBy(() -> w2.encode(hugeString, TreeLimits.MAX_ENCODED_BYTES)).isInstanceOf(TreeTooLargeException.class);
        assertThat(w2.buffer().length).as("a 5 MB string is refused before it is copied").isLessThan(1 << 16);

        // a tree just under the limit is written whole, and the writer is reusable afterwards
        HiQTree small = TreeCodecTest.sample();
        int n = w.encode(small, TreeLimits.MAX_ENCODED_BYTES);
        assertThat(n).isEqualTo(jackson(small).length);
    }
}
