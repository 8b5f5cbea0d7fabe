package io.hiq.consumer.store;

/**
 * The unit of aggregation: one tag of one service in one minute ({@code minuteMs}: epoch
 * milliseconds of the minute's start). Ordered so that transactions lock roll-up rows in one order.
 */
public record RollupKey(String service, String tag, long minuteMs) implements Comparable<RollupKey> {
    @Override
    public int compareTo(RollupKey o) {
        int c = service.compareTo(o.service);
        if (c != 0) return c;
        c = tag.compareTo(o.tag);
        if (c != 0) return c;
        return Long.compare(minuteMs, o.minuteMs);
    }
}
