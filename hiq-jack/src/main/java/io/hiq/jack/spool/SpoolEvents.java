package io.hiq.jack.spool;

import java.nio.file.Path;

/**
 * What the spool tells its owner (Jack counts and reports it): trees the size bound dropped, and
 * corrupt regions skipped in a segment.
 */
public interface SpoolEvents {
    /** The bound deleted the oldest segment with {@code trees} undelivered trees in it. */
    void dropped(long trees);

    /**
     * A corrupt region (a torn or failed write, flipped bits, an absurd length field) was skipped;
     * the trees in it are lost.
     *
     * @param segment the segment file
     * @param offset  where the region starts
     * @param bytes   its length
     */
    default void corrupt(Path segment, long offset, long bytes) {}
}
