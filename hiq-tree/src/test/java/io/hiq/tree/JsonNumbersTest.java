package io.hiq.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The eight-digits-at-a-time number writer against {@link Long#toString}. */
class JsonNumbersTest {
    @Test
    void everyEightDigitGroupIsExact() {
        // all 10^8 groups, against a decimal counter kept by hand (no string per value)
        byte[] expected = "00000000".getBytes(StandardCharsets.US_ASCII);
        for (int n = 0; n < 100_000_000; n++) {
            long d = JsonNumbers.digits(n);
            for (int k = 0; k < 8; k++) {
                if (((d >>> (8 * k)) & 0xFF) != expected[k] - '0') {
                    throw new AssertionError("digits(" + n + ") byte " + k + " = " + ((d >>> (8 * k)) & 0xFF));
                }
            }
            for (int k = 7; k >= 0 && ++expected[k] > '9'; k--) expected[k] = '0';
        }
    }

    @Test
    void writesEveryLongAsLongToStringDoes() {
        List<Long> values = new ArrayList<>(List.of(0L, 1L, -1L, 9L, 10L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1));
        for (long p = 1; ; p *= 10) { // every power of ten, and its neighbours
            for (long v : new long[] {p - 1, p, p + 1}) {
                values.add(v);
                values.add(-v);
            }
            if (p > Long.MAX_VALUE / 10) break;
        }
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 200_000; i++) {
            long v = r.nextLong() >> r.nextInt(64); // every magnitude, both signs
            values.add(v);
        }
        byte[] b = new byte[64];
        JsonNumbers near = new JsonNumbers();
        for (long v : values) {
            int end = JsonNumbers.write(b, 3, v);
            assertThat(new String(b, 3, end - 3, StandardCharsets.US_ASCII)).as("write(%d)", v).isEqualTo(Long.toString(v));
            end = near.writeNear(b, 3, v, (v & 1) == 0);
            assertThat(new String(b, 3, end - 3, StandardCharsets.US_ASCII)).as("writeNear(%d)", v).isEqualTo(Long.toString(v));
        }
    }

    @Test
    void theRememberedLeadingDigitsNeverLeakIntoAnotherNumber() {
        // timestamps and readings of a few "trees", interleaved as a node writes them, with the
        // leading digits changing, repeating, alternating between kinds and crossing 10^8 and 10^16
        SplittableRandom r = new SplittableRandom(2);
        JsonNumbers near = new JsonNumbers();
        byte[] b = new byte[64];
        long[] bases = {1_763_805_600_000_000L, 1_763_805_700_000_000L, 99_999_999L, 100_000_000L,
                9_999_999_999_999_999L, 10_000_000_000_000_000L, 123_456_789_012L, 0L};
        for (int i = 0; i < 500_000; i++) {
            long v = bases[r.nextInt(bases.length)] + r.nextLong(-300, 300) * (r.nextBoolean() ? 1 : 1_000_000);
            boolean reading = r.nextBoolean();
            int end = near.writeNear(b, 0, v, reading);
            String got = new String(b, 0, end, StandardCharsets.US_ASCII);
            if (!got.equals(Long.toString(v))) throw new AssertionError(v + " (reading " + reading + ") written as " + got);
        }
    }
}
