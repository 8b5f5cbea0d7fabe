package io.hiq.core.redact;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Default-deny for captured values: the few types whose rendering cannot carry a secret (numbers,
 * booleans, characters, enum constants, UUIDs, dates and durations, arrays of numbers or booleans)
 * are shown; anything else is described by its type and size only ({@code <HashMap size=3>},
 * {@code <String len=40>}), never by its {@code toString}, which HiQ does not control.
 */
public final class HarmlessTypes {
    /**
     * JDK value types only, matched by exact class: a subclass of a non-final JDK type (a user's
     * {@code Number}) could override {@code toString}.
     */
    private static final Set<Class<?>> SHOWN = Set.of(Boolean.class, Character.class, Byte.class, Short.class, Integer.class,
            Long.class, Float.class, Double.class, BigInteger.class, BigDecimal.class, AtomicInteger.class, AtomicLong.class,
            AtomicBoolean.class, UUID.class, Instant.class, LocalDate.class, LocalTime.class, LocalDateTime.class,
            OffsetDateTime.class, OffsetTime.class, ZonedDateTime.class, Duration.class, Period.class, Year.class,
            YearMonth.class, MonthDay.class, ZoneOffset.class, int[].class, long[].class, short[].class, double[].class,
            float[].class, boolean[].class);

    private HarmlessTypes() {}

    /** Whether {@code v} is shown as it is; true for null. */
    public static boolean harmless(Object v) {
        return v == null || v instanceof Enum<?> || SHOWN.contains(v.getClass());
    }

    /** The rendering of a {@link #harmless} value: an enum by its constant's name (its toString is the application's). */
    public static String show(Object v) {
        if (v instanceof Enum<?> e) return e.name();
        if (v instanceof int[] a) return Arrays.toString(a);
        if (v instanceof long[] a) return Arrays.toString(a);
        if (v instanceof short[] a) return Arrays.toString(a);
        if (v instanceof double[] a) return Arrays.toString(a);
        if (v instanceof float[] a) return Arrays.toString(a);
        if (v instanceof boolean[] a) return Arrays.toString(a);
        return String.valueOf(v);
    }

    /**
     * Type and size, no content: {@code <String len=12>}, {@code <byte[] len=16>},
     * {@code <ArrayList size=3>}, {@code <HashMap size=2>}, {@code <Customer>}.
     */
    public static String describe(Object v) {
        if (v == null) return "null";
        Class<?> c = v.getClass();
        String type = c.isAnonymousClass() || c.getSimpleName().isEmpty() ? c.getName() : c.getSimpleName();
        try {
            if (v instanceof CharSequence s) return "<" + type + " len=" + s.length() + ">";
            if (c.isArray()) return "<" + type + " len=" + java.lang.reflect.Array.getLength(v) + ">";
            if (v instanceof Collection<?> col) return "<" + type + " size=" + col.size() + ">";
            if (v instanceof Map<?, ?> m) return "<" + type + " size=" + m.size() + ">";
        } catch (RuntimeException e) {
            // a broken size() of the application's collection: the type alone is enough
        }
        return "<" + type + ">";
    }
}
