package io.hiq.lmk.format;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Appends wall-clock timestamps with microseconds to a {@link StringBuilder} without allocating in
 * steady state: the date, hour and minute are formatted once per minute and reused; seconds and
 * microseconds are appended as digits.
 *
 * <p>Not thread-safe: one instance per consumer thread.
 */
public final class WallClock {
    private final ZoneId zone;
    private final char dateTimeSeparator;
    private long cachedMinute = Long.MIN_VALUE;
    private String cachedPrefix;

    /**
     * @param zone              the zone the time is shown in
     * @param dateTimeSeparator {@code ' '} for {@code yyyy-MM-dd HH:mm:ss.SSSSSS}, {@code 'T'} for ISO-8601
     */
    public WallClock(ZoneId zone, char dateTimeSeparator) {
        this.zone = zone;
        this.dateTimeSeparator = dateTimeSeparator;
    }

    /** {@code yyyy-MM-dd HH:mm:ss.SSSSSS} in the JVM's default zone (the Python HiQ's local time). */
    public static WallClock local() { return new WallClock(ZoneId.systemDefault(), ' '); }

    /** {@code yyyy-MM-ddTHH:mm:ss.SSSSSS} in UTC (append the {@code Z} yourself). */
    public static WallClock utcIso() { return new WallClock(ZoneOffset.UTC, 'T'); }

    /** Appends the time given in microseconds since the epoch. */
    public void append(StringBuilder sb, long epochMicros) {
        long epochSecond = Math.floorDiv(epochMicros, 1_000_000L);
        int micros = (int) Math.floorMod(epochMicros, 1_000_000L);
        long minute = Math.floorDiv(epochSecond, 60);
        int second = (int) Math.floorMod(epochSecond, 60);
        if (minute != cachedMinute) {
            // A zone whose offset is not whole minutes (historic LMT offsets) is formatted in full each time.
            ZoneOffset offset = zone.getRules().getOffset(Instant.ofEpochSecond(epochSecond));
            if (offset.getTotalSeconds() % 60 != 0) {
                appendFull(sb, LocalDateTime.ofEpochSecond(epochSecond, 0, offset), micros);
                return;
            }
            LocalDateTime start = LocalDateTime.ofEpochSecond(minute * 60, 0, offset);
            StringBuilder p = new StringBuilder(17);
            appendDateHourMinute(p, start);
            cachedPrefix = p.toString();
            cachedMinute = minute;
        }
        sb.append(cachedPrefix);
        two(sb, second);
        sb.append('.');
        six(sb, micros);
    }

    private void appendFull(StringBuilder sb, LocalDateTime t, int micros) {
        appendDateHourMinute(sb, t);
        two(sb, t.getSecond());
        sb.append('.');
        six(sb, micros);
    }

    private void appendDateHourMinute(StringBuilder sb, LocalDateTime t) {
        sb.append(t.getYear());
        sb.append('-');
        two(sb, t.getMonthValue());
        sb.append('-');
        two(sb, t.getDayOfMonth());
        sb.append(dateTimeSeparator);
        two(sb, t.getHour());
        sb.append(':');
        two(sb, t.getMinute());
        sb.append(':');
    }

    private static void two(StringBuilder sb, int v) {
        sb.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }

    private static void six(StringBuilder sb, int v) {
        for (int d = 100_000; d > 0; d /= 10) sb.append((char) ('0' + (v / d) % 10));
    }
}
