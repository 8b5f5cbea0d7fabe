package io.hiq.jack.oci;

import io.hiq.jack.publisher.EncodedTree;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * OCI Streaming's PutMessages limits and the split of a batch into requests that respect them:
 * a message (and a whole request) at most 1 MiB, a key at most 256 bytes. Sizes are counted as they
 * travel, base64 inside JSON, so a request that fits here fits the service whichever way it counts.
 */
public final class PutMessagesLimits {
    /** Largest PutMessages request body, bytes. */
    public static final int MAX_REQUEST_BYTES = 1024 * 1024;
    /** Largest key, bytes. */
    public static final int MAX_KEY_BYTES = 256;
    /** JSON around one entry: {@code {"key":"","value":""},}. */
    static final int ENTRY_OVERHEAD = 32;
    /** JSON around the request: {@code {"messages":[]}}. */
    static final int REQUEST_OVERHEAD = 32;
    /** Largest tree (JSON bytes) that fits one request with the longest key. */
    public static final int MAX_VALUE_BYTES =
            (MAX_REQUEST_BYTES - REQUEST_OVERHEAD - ENTRY_OVERHEAD - base64(MAX_KEY_BYTES)) / 4 * 3;

    private PutMessagesLimits() {}

    /** Length of the base64 form of {@code n} bytes. */
    static int base64(int n) { return (n + 2) / 3 * 4; }

    /** The key sent for a tree: its id, cut to {@link #MAX_KEY_BYTES}. */
    public static byte[] key(EncodedTree t) {
        byte[] k = t.id().getBytes(StandardCharsets.UTF_8);
        return k.length <= MAX_KEY_BYTES ? k : Arrays.copyOf(k, MAX_KEY_BYTES);
    }

    /** Bytes one tree adds to a request. */
    public static int entryBytes(EncodedTree t) {
        return ENTRY_OVERHEAD + base64(key(t).length) + base64(t.json().length);
    }

    /**
     * Splits {@code trees} in order into requests of at most {@code maxRequestBytes} and
     * {@code maxEntries} entries. Every tree must fit a request on its own ({@link #MAX_VALUE_BYTES}).
     */
    public static List<List<EncodedTree>> split(List<EncodedTree> trees, int maxRequestBytes, int maxEntries) {
        List<List<EncodedTree>> out = new ArrayList<>();
        List<EncodedTree> cur = new ArrayList<>();
        int size = REQUEST_OVERHEAD;
        for (EncodedTree t : trees) {
            int b = entryBytes(t);
            if (!cur.isEmpty() && (size + b > maxRequestBytes || cur.size() >= maxEntries)) {
                out.add(cur);
                cur = new ArrayList<>();
                size = REQUEST_OVERHEAD;
            }
            cur.add(t);
            size += b;
        }
        if (!cur.isEmpty()) out.add(cur);
        return out;
    }
}
