package io.hiq.jack.spool;

/**
 * A place in the spool: a segment's sequence number and a byte offset inside it. Positions order
 * by segment, then offset.
 */
public record SpoolPosition(long segment, long offset) implements Comparable<SpoolPosition> {
    @Override
    public int compareTo(SpoolPosition o) {
        int c = Long.compare(segment, o.segment);
        return c != 0 ? c : Long.compare(offset, o.offset);
    }

    /** True when this position is strictly after {@code o}. */
    public boolean isAfter(SpoolPosition o) { return compareTo(o) > 0; }
}
