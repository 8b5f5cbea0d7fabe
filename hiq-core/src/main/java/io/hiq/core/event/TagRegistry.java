package io.hiq.core.event;

import io.hiq.core.conf.ConfEntry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Interns tag names to dense {@code int} ids. Ids are stable for the life of the JVM (a class that is
 * re-instrumented after {@code enable()} gets the same ids), so consumers may cache by id.
 *
 * <p>Registration happens at instrumentation time (rare, synchronized); lookup by id is a plain
 * array read and is safe from any thread.
 */
public final class TagRegistry {
    /** The default number of tags a JVM may register (overflow tag included). */
    public static final int MAX_TAGS = 1 << 20;
    /**
     * The name every registration gets once the registry is full: one fixed tag, so that a stream
     * of new names (a bug, or requests an attacker shapes) can neither grow memory nor fail the
     * code that asked for a tag.
     */
    public static final String OVERFLOW = "hiq_tag_overflow";

    private final ConcurrentHashMap<String, Tag> byName = new ConcurrentHashMap<>();
    private volatile AtomicReferenceArray<Tag> byId = new AtomicReferenceArray<>(64);
    private final int maxTags;
    private final AtomicLong overflowed = new AtomicLong();
    private int next = 1;
    private Tag overflow;

    /** A registry of at most {@link #MAX_TAGS} tags. */
    public TagRegistry() { this(MAX_TAGS); }

    /**
     * A registry of at most {@code maxTags} tags, the last id being kept for {@link #OVERFLOW}.
     *
     * @param maxTags ≥ 2
     */
    public TagRegistry(int maxTags) {
        if (maxTags < 2) throw new IllegalArgumentException("maxTags " + maxTags + ": must be ≥ 2");
        this.maxTags = maxTags;
    }

    /** How many registrations of a new name fell back to {@link #OVERFLOW} (counter {@code TagOverflow}). */
    public long overflowed() { return overflowed.get(); }

    /** How many tags are registered. */
    public synchronized int size() { return byName.size(); }

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
        if (next >= maxTags - 1) {
            // full: the last id is the overflow tag's; the caller gets a working tag, never an exception
            overflowed.incrementAndGet();
            if (overflow == null) overflow = store(new Tag(maxTags - 1, OVERFLOW, null, null, null));
            return overflow;
        }
        return store(new Tag(next++, name, entry, method, staticExtra));
    }

    private Tag store(Tag tag) {
        AtomicReferenceArray<Tag> ids = byId;
        if (tag.id() >= ids.length()) {
            int length = ids.length();
            while (length <= tag.id()) length *= 2;
            AtomicReferenceArray<Tag> grown = new AtomicReferenceArray<>(length);
            for (int i = 0; i < ids.length(); i++) grown.set(i, ids.get(i));
            ids = grown;
        }
        ids.set(tag.id(), tag);
        byId = ids;
        byName.put(tag.name(), tag);
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
