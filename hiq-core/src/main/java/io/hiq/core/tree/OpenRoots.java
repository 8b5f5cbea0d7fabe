package io.hiq.core.tree;

/**
 * The open root of each application thread, by thread id: an open-addressing map of primitive
 * {@code long} keys. A {@code HashMap<Long, OpenRoot>} costs a node (and, for thread ids above 127,
 * a boxed key) at every root's start; this costs nothing once sized to the number of threads.
 *
 * <p>Linear probing with backward-shift deletion (no tombstones), load factor at most 1/2.
 * Single-threaded (the assembler's).
 */
final class OpenRoots {
    private long[] keys = new long[16];
    private OpenRoot[] values = new OpenRoot[16];
    private int size;

    OpenRoot get(long key) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            OpenRoot v = values[i];
            if (v == null) return null;
            if (keys[i] == key) return v;
        }
    }

    void put(long key, OpenRoot value) {
        if (value == null) throw new IllegalArgumentException("null root");
        if (2 * (size + 1) > keys.length) grow();
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (values[i] != null && keys[i] != key) i = (i + 1) & mask;
        if (values[i] == null) size++;
        keys[i] = key;
        values[i] = value;
    }

    OpenRoot remove(long key) {
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (true) {
            if (values[i] == null) return null;
            if (keys[i] == key) break;
            i = (i + 1) & mask;
        }
        OpenRoot old = values[i];
        values[i] = null;
        size--;
        // backward shift: move later entries of the probe run into the hole they may depend on
        int hole = i;
        for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int home = slot(keys[j], mask);
            // entry j may move to the hole when its home is not in (hole, j] cyclically
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                values[j] = null;
                hole = j;
            }
        }
        return old;
    }

    int size() { return size; }

    /** Slots to scan with {@link #at(int)} (values may be null). */
    int slots() { return values.length; }

    /** The root in slot {@code i}, or null. */
    OpenRoot at(int i) { return values[i]; }

    private void grow() {
        long[] k = keys;
        OpenRoot[] v = values;
        keys = new long[k.length * 2];
        values = new OpenRoot[k.length * 2];
        size = 0;
        for (int i = 0; i < k.length; i++) if (v[i] != null) put(k[i], v[i]);
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L; // thread ids are small and consecutive: spread them
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
