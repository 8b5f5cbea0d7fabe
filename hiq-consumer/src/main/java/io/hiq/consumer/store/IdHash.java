package io.hiq.consumer.store;

/**
 * The 64-bit hash by which a SQLite store finds a tree's id ({@code hiq_tree.id_hash}, migration 3).
 *
 * <p>Why not the id itself as the key: the ids are random (128 bits), so every insert lands at a
 * random place of the index, and a key of 32 characters makes that index four times the size of one
 * of integers — each batch rewrote most of its pages. Measured on 200 000 trees (docs/PERFORMANCE.md
 * §18): the id's string key cost ~14 µs of the ingest thread per tree, an integer index of its hash
 * ~2 µs. The index is not unique: two ids may share a hash; every lookup compares the id itself.
 *
 * <p>FNV-1a over the id's UTF-16 code units, then the MurmurHash3 finalizer so that ids differing
 * in their last characters spread over the whole index. Stored in the file: never change it (a
 * change would need a migration that rehashes every row).
 */
final class IdHash {
    private IdHash() {}

    /** The hash of {@code id}. */
    static long of(String id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h ^= id.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
