package io.hiq.consumer.ingest;

import io.hiq.consumer.store.StoredTree;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import io.hiq.tree.TreeFormatException;
import java.nio.charset.StandardCharsets;

/**
 * Turns a Kafka record value into a {@link StoredTree} or says, in a {@link TreeFormatException}, why
 * it is not one: {@link TreeCodec} validates the B4 shape and schema; this adds the limits the store
 * needs (id, service and tag lengths; a record size bound).
 */
public final class TreeValidator {
    /** Longest id, service or tag accepted (the store's columns hold 512). */
    public static final int MAX_NAME = 256;
    /**
     * Largest record accepted, in bytes (so at most as many characters): the embedded store's column
     * limit; Kafka's default message limit is about the same (1 048 588 bytes).
     */
    public static final int MAX_BYTES = 1_000_000;

    private TreeValidator() {}

    /** Decodes and validates; {@code value} may be null (a tombstone). */
    public static StoredTree validate(byte[] value) throws TreeFormatException {
        if (value == null) throw new TreeFormatException("null value (tombstone)");
        if (value.length == 0) throw new TreeFormatException("empty record");
        if (value.length > MAX_BYTES) throw new TreeFormatException("record of " + value.length + " bytes exceeds " + MAX_BYTES);
        HiQTree t = TreeCodec.decode(value);
        name("id", t.id());
        name("service", t.service());
        tags(t.root(), "root");
        return new StoredTree(t, new String(value, StandardCharsets.UTF_8).strip());
    }

    private static void tags(HiQNode n, String path) throws TreeFormatException {
        name(path + ".name", n.name());
        int i = 0;
        for (HiQNode c : n.children()) tags(c, path + ".children[" + i++ + "]");
    }

    private static void name(String field, String v) throws TreeFormatException {
        if (v.length() > MAX_NAME) throw new TreeFormatException("field '" + field + "': longer than " + MAX_NAME + " characters");
    }
}
