package io.hiq.tree;

import static io.hiq.tree.JsonNumbers.LONGS;

/**
 * A small, fixed-size cache of strings already encoded by {@link JsonStrings}: the strings a tree
 * repeats from tree to tree (tags, service, host, thread, metric, unit, extra keys) are copied as
 * bytes instead of being escaped and encoded character by character again.
 *
 * <p>Bounded whatever the input: {@value #SETS} sets of two slots of {@value #SLOT_BYTES} bytes (16 KiB
 * and 256 string references in all, allocated once); a string whose encoding is longer is never
 * kept. A new string takes the first slot of its set and moves the one there to the second, so a
 * stream of distinct strings (a thread name per tree) evicts, it never grows anything, and a string
 * in use survives one newcomer in its set. No garbage: a miss encodes into the caller's buffer and
 * copies the bytes into the slot's own place in the arena.
 *
 * <p>Looked up by {@link String#hashCode} (cached in the string) and {@link String#equals} (identity
 * first): an equal string of another identity hits as well. Not thread-safe, one per writer.
 */
final class EncodedStrings {
    /** Longest encoding kept (quotes included): every copy is at most this many bytes, in 8-byte words. */
    static final int SLOT_BYTES = 64;
    private static final int SETS = 128;
    private static final int SLOTS = 2 * SETS;

    private final String[] keys = new String[SLOTS];
    private final int[] lengths = new int[SLOTS];
    private final byte[] arena = new byte[SLOTS * SLOT_BYTES];

    /** Room {@link #write} needs for a string of {@code chars} characters (the copy writes whole words). */
    static long maxBytes(int chars) { return JsonStrings.maxBytes(chars) + SLOT_BYTES; }

    /** Writes {@code s} quoted at {@code p} (room for {@link #maxBytes} required); returns the index after it. */
    int write(byte[] b, int p, String s) {
        if (s.length() > SLOT_BYTES - 2) return JsonStrings.write(b, p, s); // could never be kept: not even hashed
        int h = s.hashCode();
        int slot = ((h ^ (h >>> 16)) & (SETS - 1)) << 1;
        if (s.equals(keys[slot])) return copy(slot, b, p);
        if (s.equals(keys[slot + 1])) return copy(slot + 1, b, p);
        int end = JsonStrings.write(b, p, s);
        int n = end - p;
        if (n <= SLOT_BYTES) {
            move(slot, slot + 1);
            keys[slot] = s;
            lengths[slot] = n;
            System.arraycopy(b, p, arena, slot * SLOT_BYTES, n);
        }
        return end;
    }

    private int copy(int slot, byte[] b, int p) {
        int n = lengths[slot];
        int from = slot * SLOT_BYTES;
        // whole words (at most the slot): bytes past n are overwritten by what the caller writes next
        for (int i = 0; i < n; i += 8) LONGS.set(b, p + i, (long) LONGS.get(arena, from + i));
        return p + n;
    }

    private void move(int from, int to) {
        keys[to] = keys[from];
        lengths[to] = lengths[from];
        System.arraycopy(arena, from * SLOT_BYTES, arena, to * SLOT_BYTES, lengths[from]);
    }

    /** Strings held (tests: the cache stays within its slots). */
    int size() {
        int k = 0;
        for (String s : keys) if (s != null) k++;
        return k;
    }
}
