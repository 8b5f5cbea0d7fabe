package io.hiq.jack.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Reads the records of one segment file from a position up to a limit, checking each one's bounds
 * and checksum. A bad region (a torn write, flipped bits, an absurd length) is skipped by looking
 * for the next byte offset where a whole valid record starts; each region is reported once and
 * remembered in {@code known}, so that reading the same bytes again (after a rewind) skips it
 * silently. Never allocates more than one record's bound ({@link SpoolRecord#MAX_BODY}) at a time.
 */
final class SegmentReader {
    /** Told of each newly found bad region. */
    interface BadRegions {
        /**
         * @param offset where the region starts
         * @param bytes  its length
         * @param tail   true when nothing valid follows it up to the limit
         */
        void found(long offset, long bytes, boolean tail);
    }

    private static final int WINDOW = 256 * 1024;

    private final FileChannel ch;
    private final long limit;
    private final NavigableMap<Long, Long> known;
    private final BadRegions report;
    private ByteBuffer buf = ByteBuffer.allocate(0);
    private long bufStart;
    private long pos;
    private long recordOffset;
    private int bodyIndex;
    private int bodyLength;

    /**
     * @param known bad regions found before (start → end), skipped silently and added to
     */
    SegmentReader(FileChannel ch, long start, long limit, NavigableMap<Long, Long> known, BadRegions report) {
        this.ch = ch;
        this.pos = start;
        this.limit = limit;
        this.known = known;
        this.report = report;
    }

    /** Where the next record would start (after the last one returned, or the limit at the end). */
    long position() { return pos; }

    /** Offset of the record {@link #next} found. */
    long recordOffset() { return recordOffset; }

    /** The body of the record {@link #next} found; valid until the next call. */
    ByteBuffer body() {
        return buf.duplicate().limit(bodyIndex + bodyLength).position(bodyIndex);
    }

    /**
     * Moves to the next valid record.
     *
     * @return false at the limit
     */
    boolean next() throws IOException {
        long badStart = -1;
        while (pos < limit) {
            Map.Entry<Long, Long> k = known.floorEntry(pos);
            if (k != null && pos < k.getValue()) {
                if (badStart >= 0) remember(badStart, pos, false);
                badStart = -1;
                pos = Math.min(limit, k.getValue());
                continue;
            }
            if (pos + SpoolRecord.HEADER > limit) { // fewer bytes left than a header
                if (badStart < 0) badStart = pos;
                break;
            }
            ensure(pos, (int) Math.min(SpoolRecord.HEADER + 2, limit - pos));
            int i = (int) (pos - bufStart);
            int len = buf.getInt(i);
            int sum = buf.getInt(i + 4);
            // bounds first: an absurd length is never allocated nor read
            if (SpoolRecord.plausibleLength(len) && pos + SpoolRecord.HEADER + len <= limit
                    && (buf.getShort(i + SpoolRecord.HEADER) & 0xFFFF) <= len - 2) {
                ensure(pos, SpoolRecord.HEADER + len);
                i = (int) (pos - bufStart);
                if (SpoolRecord.matches(buf, i + SpoolRecord.HEADER, len, sum)) {
                    if (badStart >= 0) remember(badStart, pos, false);
                    recordOffset = pos;
                    bodyIndex = i + SpoolRecord.HEADER;
                    bodyLength = len;
                    pos += SpoolRecord.HEADER + len;
                    return true;
                }
            }
            if (badStart < 0) badStart = pos;
            pos++; // look for the next record one byte further
        }
        if (badStart >= 0) remember(badStart, limit, true);
        pos = limit;
        return false;
    }

    private void remember(long start, long end, boolean tail) {
        if (end <= start) return;
        known.put(start, end);
        report.found(start, end - start, tail);
    }

    /** Makes bytes {@code [at, at + n)} (within the limit) available in {@code buf}. */
    private void ensure(long at, int n) throws IOException {
        if (at >= bufStart && at + n <= bufStart + buf.limit()) return;
        int want = (int) Math.min(limit - at, Math.max(n, WINDOW));
        if (buf.capacity() < want) buf = ByteBuffer.allocate(want);
        buf.clear().limit(want);
        long p = at;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, p);
            if (r < 0) {
                // the file is shorter than the limit said (cut meanwhile): what is there is all there is
                break;
            }
            p += r;
        }
        buf.flip();
        bufStart = at;
        if (buf.limit() < Math.min(n, limit - at)) throw new IOException("segment shorter than expected at offset " + at);
    }
}
