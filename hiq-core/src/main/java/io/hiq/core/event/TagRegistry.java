package io.hiq.core.event;

import io.hiq.core.conf.ConfEntry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Interns tag names to dense {@code int} ids. Ids are stable for the life of the JVM (a class that is
 * re-instrumented after {@code enable()} gets the same ids), so consumers may cache by id.
 *
 * <p>Registration happens at instrumentation time (rare, synchronized); lookup by id is a plain
 * array read and is safe from any thread.
 */
public final class TagRegistry {
    private static final int MAX_TAGS = 1 << 20;

    private final ConcurrentHashMap<String, Tag> byName = new ConcurrentHashMap<>();
    private volatile AtomicReferenceArray<Tag> byId = new AtomicReferenceArray<>(64);
    private int next = 1;

    /** Returns the tag named {@code name}, registering it on first use. */
    public synchronized Tag register(String name, ConfEntry entry, String method) {
        return register(name, entry, method, null);
    }

    /**
     * Returns the tag named {@code name}, registering it on first use with the given static extra
     * information; a later registration with extra information replaces the earlier's (same id).
     */
    public synchronized Tag register(String name, ConfEntry entry, String method, java.util.Map<String, Object> staticExtra) {
        Tag existing = byName.get(name);
        if (existing != null) {
            if (staticExtra == null || staticExtra.isEmpty() || staticExtra.equals(existing.staticExtra())) return existing;
            Tag updated = new Tag(existing.id(), name, entry, method, staticExtra);
            byName.put(name, updated);
            byId.set(existing.id(), updated);
            return updated;
        }
        if (next >= MAX_TAGS) throw new IllegalStateException("more than " + MAX_TAGS + " tags");
        Tag tag = new Tag(next++, name, entry, method, staticExtra);
        AtomicReferenceArray<Tag> ids = byId;
        if (tag.id() >= ids.length()) {
            AtomicReferenceArray<Tag> grown = new AtomicReferenceArray<>(ids.length() * 2);
            for (int i = 0; i < ids.length(); i++) grown.set(i, ids.get(i));
            ids = grown;
        }
        ids.set(tag.id(), tag);
        byId = ids;
        byName.put(name, tag);
        return tag;
    }

    /** The tag with this id, or null. */
    public Tag get(int id) {
        AtomicReferenceArray<Tag> ids = byId;
        return id > 0 && id < ids.length() ? ids.get(id) : null;
    }

    /** The tag named {@code name}, or null. */
    public Tag byName(String name) { return byName.get(name); }

    /** The node name for an id; {@code tag#<id>} for an unknown id (never null). */
    public String name(int id) {
        Tag t = get(id);
        return t == null ? "tag#" + id : t.name();
    }
}
