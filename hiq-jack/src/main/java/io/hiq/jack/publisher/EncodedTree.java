package io.hiq.jack.publisher;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One tree ready to publish: its id (the record key) and its B4 JSON bytes (the record value).
 * The bytes are shared, never copied: nobody may modify them.
 */
public record EncodedTree(String id, byte[] json) {
    public EncodedTree {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(json, "json");
    }

    /** The id as UTF-8 bytes (the Kafka / OCI Streaming key). */
    public byte[] key() { return id.getBytes(StandardCharsets.UTF_8); }

    /** Size of the value in bytes. */
    public int size() { return json.length; }

    @Override
    public String toString() { return "EncodedTree{" + id + ", " + json.length + " B}"; }
}
