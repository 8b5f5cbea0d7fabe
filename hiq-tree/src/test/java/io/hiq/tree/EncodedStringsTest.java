package io.hiq.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The cache of encoded strings: always the bytes of {@link JsonStrings}, and never more than its slots. */
class EncodedStringsTest {
    private static String plain(byte[] b, int p, String s) {
        return new String(b, p, JsonStrings.write(b, p, s) - p, StandardCharsets.UTF_8);
    }

    @Test
    void writesTheSameBytesAsTheEncoderForHitsMissesAndEqualHashes() {
        // "Aa" and "BB" have the same hash: every string of n such pairs lands in the same set
        String[] collide = {"AaAa", "AaBB", "BBAa", "BBBB", "AaAaAa", "BBBBBB"};
        assertThat(collide[0].hashCode()).isEqualTo(collide[3].hashCode());
        String[] edge = {"", "x".repeat(61), "x".repeat(62), "x".repeat(63), "é".repeat(31), "é".repeat(30) + "a",
                "\u0001".repeat(10), "\u0001".repeat(11), "q\"\\", "🟢", "\uD800", "\uDC00x", "tab\t"};
        EncodedStrings cache = new EncodedStrings();
        SplittableRandom r = new SplittableRandom(3);
        byte[] got = new byte[1024];
        byte[] want = new byte[1024];
        for (int i = 0; i < 200_000; i++) {
            String s = switch (r.nextInt(4)) {
                case 0 -> collide[r.nextInt(collide.length)];
                case 1 -> edge[r.nextInt(edge.length)];
                case 2 -> new String(edge[r.nextInt(edge.length)]); // equal, another identity
                default -> "t" + r.nextInt(1_000);
            };
            int p = r.nextInt(16);
            int end = cache.write(got, p, s);
            assertThat(new String(got, p, end - p, StandardCharsets.UTF_8)).as("string %d %s", i, s).isEqualTo(plain(want, p, s));
        }
    }

    @Test
    void millionsOfDistinctStringsKeepNoMoreThanTheSlots() {
        EncodedStrings cache = new EncodedStrings();
        byte[] b = new byte[256];
        for (int i = 0; i < 1_000_000; i++) cache.write(b, 0, "pool-" + i + "-thread-" + (i * 31));
        assertThat(cache.size()).isLessThanOrEqualTo(256);
        // and a long string is never kept (nor hashed)
        EncodedStrings fresh = new EncodedStrings();
        fresh.write(new byte[1024], 0, "y".repeat(100));
        assertThat(fresh.size()).isZero();
    }
}
