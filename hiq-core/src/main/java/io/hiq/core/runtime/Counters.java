package io.hiq.core.runtime;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * HiQ's named counters, shown by the {@code hiq:type=HiQ} MBean (DESIGN B7), LMK warnings and
 * exporters. Core counts {@code Published}, {@code Dropped} and {@code Trees}; extensions register
 * theirs ({@code JackPublished}, {@code JackSpooled}, …), either as an {@link AtomicLong} they
 * update or as a supplier read on demand.
 */
public final class Counters {
    private final Map<String, LongSupplier> counters = new ConcurrentHashMap<>();

    /** Returns the counter named {@code name}, creating it at zero. */
    public AtomicLong counter(String name) {
        Objects.requireNonNull(name, "name");
        AtomicLong created = new AtomicLong();
        LongSupplier existing = counters.putIfAbsent(name, new AtomicLongSupplier(created));
        if (existing == null) return created;
        if (existing instanceof AtomicLongSupplier a) return a.value;
        throw new IllegalStateException("counter " + name + " is a supplier");
    }

    /** Registers a counter whose value is read from {@code supplier}. */
    public void register(String name, LongSupplier supplier) {
        counters.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(supplier, "supplier"));
    }

    /** The current value of {@code name}, 0 when unknown. */
    public long get(String name) {
        LongSupplier s = counters.get(name);
        return s == null ? 0 : s.getAsLong();
    }

    /** Every counter's current value, by name. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        counters.forEach((k, v) -> m.put(k, v.getAsLong()));
        return m;
    }

    private record AtomicLongSupplier(AtomicLong value) implements LongSupplier {
        @Override
        public long getAsLong() { return value.get(); }
    }
}
