package io.hiq.core.tree;

import java.security.SecureRandom;
import java.util.SplittableRandom;

/**
 * Tree ids: 128 random bits as 32 lowercase hex digits (docs/FORMATS.md §1). Nothing in an id comes
 * from the process (no pid, no host, no clock): in containers every process is pid 1, and the
 * consumer de-duplicates on the id, so two processes must not be able to produce the same one.
 *
 * <p>Two {@link SplittableRandom} streams, each seeded with 64 bits from {@link SecureRandom} when the
 * generator is made (on the assembler's thread, so start-up does not pay for it), give the two
 * halves. Within one generator ids are distinct by construction: a stream's output is a bijection of
 * its counter ({@code mix64(seed + n·γ)}), so the first half alone does not repeat for 2<sup>64</sup>
 * ids. Across processes two ids collide only if both 64-bit seeds line up, a chance of about
 * 2<sup>-128</sup> per pair of ids. Not thread-safe: one assembler thread owns it.
 */
public final class TreeIds {
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final SplittableRandom high;
    private final SplittableRandom low;
    /** Reused: an id costs only its String (Latin-1 bytes are copied once into it). */
    private final byte[] scratch = new byte[32];

    /** A generator seeded from the platform's {@link SecureRandom} (non-blocking on Linux). */
    public TreeIds() { this(new SecureRandom()); }

    /** A generator seeded from {@code seeds}. */
    public TreeIds(SecureRandom seeds) {
        this.high = new SplittableRandom(seeds.nextLong());
        this.low = new SplittableRandom(seeds.nextLong());
    }

    /** The next id: 32 lowercase hex digits. */
    public String next() {
        byte[] c = scratch;
        hex(high.nextLong(), c, 0);
        hex(low.nextLong(), c, 16);
        return new String(c, 0, 32, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static void hex(long v, byte[] c, int at) {
        for (int i = 15; i >= 0; i--) {
            c[at + i] = HEX[(int) (v & 0xF)];
            v >>>= 4;
        }
    }

    /** Whether {@code id} has the shape this generator produces (32 lowercase hex digits). */
    public static boolean isWellFormed(String id) {
        if (id == null || id.length() != 32) return false;
        for (int i = 0; i < 32; i++) {
            char ch = id.charAt(i);
            if (!(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f')) return false;
        }
        return true;
    }
}
