package io.hiq.tree;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes a {@code long} as JSON (ASCII decimal) eight digits at a time: a number is split by one or
 * two divisions by 10<sup>8</sup>, and each part of up to eight digits is turned into its eight
 * ASCII bytes with a few multiplications on one 64-bit word (SWAR) and stored with one 8-byte write.
 * The digit-by-digit (or pair-by-pair) division chain this replaces was half of the encoder's time:
 * a tree is mostly 16-digit timestamps.
 *
 * <p>Static for any number; an instance (one per writer, not thread-safe) also remembers the
 * leading digits last written for a node's timestamps and for its readings ({@link #writeNear}).
 *
 * <p>Every write may store up to 7 bytes past the number's end (they are overwritten by what comes
 * next): callers ensure {@link #MAX_BYTES} of room.
 */
final class JsonNumbers {
    /** Little-endian 8-byte stores into a byte array: the number's first digit at the lowest address. */
    static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Room a number needs: 20 characters ({@code -9223372036854775808}) plus the 8-byte stores' slack. */
    static final int MAX_BYTES = 28;

    private static final byte[] MIN_LONG = Long.toString(Long.MIN_VALUE).getBytes(StandardCharsets.US_ASCII);
    private static final long ASCII_ZEROS = 0x3030303030303030L;
    private static final long E8 = 100_000_000L;
    private static final long E16 = E8 * E8;

    /** Writes {@code v} at {@code p} (room for {@link #MAX_BYTES} required); returns the index after it. */
    static int write(byte[] b, int p, long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) return minLong(b, p);
            b[p++] = '-';
            v = -v;
        }
        if (v < E8) return leading(b, p, (int) v);
        if (v < E16) {
            long high = v / E8;
            p = leading(b, p, (int) high);
            return eight(b, p, (int) (v - high * E8));
        }
        return huge(b, p, v);
    }

    /**
     * {@link #write} for a node's timestamps and readings: those of one tree share their leading
     * digits (the microseconds since the epoch change them every 100 s), so the last leading part
     * of each kind ({@code reading} or not) is kept as its bytes and reused when it comes again.
     */
    int writeNear(byte[] b, int p, long v, boolean reading) {
        if (v < E8 || v >= E16) return write(b, p, v);
        long high = v / E8;
        return (reading ? readings : times).write(b, p, high, (int) (v - high * E8));
    }

    private final LastLeading times = new LastLeading();
    private final LastLeading readings = new LastLeading();

    /** The leading part last written of one kind, kept as its ASCII word and length. */
    private static final class LastLeading {
        private long high = -1;
        private long word;
        private int length;

        /** Writes {@code high} (from the kept word when it is the last one) and then {@code low} as eight digits. */
        int write(byte[] b, int p, long high, int low) {
            if (high != this.high) {
                this.high = high;
                long d = digits((int) high);
                word = leadingWord(d);
                length = leadingLength(d);
            }
            LONGS.set(b, p, word);
            return eight(b, p + length, low);
        }
    }

    private static int minLong(byte[] b, int p) { // has no positive counterpart
        System.arraycopy(MIN_LONG, 0, b, p, MIN_LONG.length);
        return p + MIN_LONG.length;
    }

    /** {@code v >= 10^16}: up to three digits, then twice eight. */
    private static int huge(byte[] b, int p, long v) {
        long top = v / E16; // at most 922
        long rest = v - top * E16;
        long middle = rest / E8;
        p = leading(b, p, (int) top);
        p = eight(b, p, (int) middle);
        return eight(b, p, (int) (rest - middle * E8));
    }

    /** {@code n < 10^8} without leading zeros (at least one digit). */
    private static int leading(byte[] b, int p, int n) {
        long d = digits(n);
        LONGS.set(b, p, leadingWord(d));
        return p + leadingLength(d);
    }

    /** The leading zero digits are the low zero bytes of {@code digits} (0 itself keeps one digit). */
    private static int leadingZeros(long digits) { return Math.min(7, Long.numberOfTrailingZeros(digits) >>> 3); }

    private static long leadingWord(long digits) { return (digits + ASCII_ZEROS) >>> (leadingZeros(digits) << 3); }

    private static int leadingLength(long digits) { return 8 - leadingZeros(digits); }

    /** {@code n < 10^8} as exactly eight digits (leading zeros kept: the lower part of a longer number). */
    private static int eight(byte[] b, int p, int n) {
        LONGS.set(b, p, digits(n) + ASCII_ZEROS);
        return p + 8;
    }

    /**
     * The eight decimal digits of {@code 0 <= n < 10^8} as one value 0..9 per byte, the most
     * significant digit in the lowest byte. Lanes: two of 32 bits (4 digits each), then four of 16
     * bits (2 digits each), then eight bytes; each split divides every lane at once by a
     * multiply-and-shift that is exact in the lane's range (x / 10^4 = x * 109951163 >> 40 for x < 10^8, x / 100 = x * 10486 >> 20 for x < 10^4,
     * x / 10 = x * 103 >> 10 for x < 100), and no lane's product reaches the next lane.
     */
    static long digits(int n) {
        long high = (n * 109_951_163L) >>> 40; // n / 10^4, exact for n < 10^8 (and without a signed division's fix-up)
        long fours = high | ((n - high * 10_000) << 32);
        long hundreds = ((fours * 10_486L) >>> 20) & 0x0000_007F_0000_007FL;
        long twos = ((fours - 100 * hundreds) << 16) | hundreds;
        long tens = ((twos * 103L) >>> 10) & 0x000F_000F_000F_000FL;
        return ((twos - 10 * tens) << 8) | tens;
    }
}
