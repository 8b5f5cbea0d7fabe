package io.hiq.jack.spool;

import io.hiq.jack.files.PrivateDirectories;
import io.hiq.jack.publisher.EncodedTree;
import io.hiq.jack.report.Stderr;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Jack's bounded disk spool: trees that could not be delivered, kept in order until they are.
 *
 * <p>One process at a time: {@code lock} (an OS file lock) guards the directory; another process
 * gets a {@link SpoolLockedException} and uses a directory of its own, which a later process adopts
 * ({@link #adopt}).
 *
 * <p>Layout under its directory (created owner-only): append-only segment files
 * {@code segment-<20 digits>.spool} made of {@link SpoolRecord}s
 * {@code [int length][int crc32c][u16 idLength][id UTF-8][B4 JSON]}, a {@code committed} marker
 * ({@code "<segment> <offset>"}, replaced atomically) telling where delivered records end, and
 * {@code rejected.jsonl} ({@link RejectedFile}): trees no publisher can take, bounded and rotated.
 *
 * <p>Records are read from the committed position in append order; a reader commits a chunk's end
 * once it was delivered; a process that stops before that replays the chunk next time
 * (at-least-once). Integrity: a failed append (disk full, I/O error) cuts the segment back to its
 * last good size before the error is reported, so no partial record is ever followed by good ones;
 * every read checks each record's bounds and checksum and skips a bad region (reported once to
 * {@link SpoolEvents#corrupt}, its trees lost) instead of trusting a length field. On open, a torn
 * or corrupt tail (a crash mid-write) is cut off and counted, and appending starts in a new
 * segment. Durability: appended records are forced to disk at most every {@code fsyncNanos} by
 * {@link #syncIfDue} (Jack's batcher calls it), and at close.
 *
 * <p>Bounded: when appending would pass {@code maxBytes}, the oldest segment is deleted and its
 * undelivered records are reported to the {@code dropped} callback (Jack counts them and says so
 * on stderr). Thread-safe: appends come from Jack's batcher, from the producer's callbacks and,
 * when Jack's queue is full, from the tree assembler; the slow part of {@link #read} (file I/O)
 * runs outside the lock.
 */
public final class DiskSpool implements AutoCloseable {
    private static final String PREFIX = "segment-";
    private static final String SUFFIX = ".spool";
    private static final int HEADER = SpoolRecord.HEADER;
    /** Default interval between two forced writes ({@code HIQ_JACK_FSYNC}). */
    public static final long DEFAULT_FSYNC_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final SpoolEvents events;
    private final long fsyncNanos;
    private final ChannelOpener opener;
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private final Path committedFile;
    private final RejectedFile rejected;

    private FileChannel writer;
    private FileChannel lockChannel;
    private SpoolPosition committed;
    private SpoolPosition readPos;
    private long totalBytes;
    private long pendingRecords;
    private long unreadRecords;
    private boolean closed;
    /** Appended since the last forced write. */
    private boolean dirty;
    private long lastSync = System.nanoTime();
    /** The active segment's tail could not be cut after a failed write: the next append starts a new one. */
    private boolean brokenTail;
    private final io.hiq.jack.report.Throttle syncErrorLines = new io.hiq.jack.report.Throttle();

    private static final class Segment {
        final long seq;
        final Path path;
        long size;
        long records;
        /** Records before the committed offset (for counting what a drop loses). */
        long committedRecords;
        /** Records handed out by {@link #read} (committed ones included) since the last rewind. */
        long readRecords;
        /** Bad regions found in it (start → end), skipped without being reported again. */
        final ConcurrentSkipListMap<Long, Long> bad = new ConcurrentSkipListMap<>();
        FileChannel reader;

        Segment(long seq, Path path) {
            this.seq = seq;
            this.path = path;
        }
    }

    private DiskSpool(Path dir, long maxBytes, long segmentBytes, long fsyncNanos, long rejectedMaxBytes,
                      SpoolEvents events, ChannelOpener opener) {
        this.dir = dir;
        this.segmentBytes = Math.max(4096, segmentBytes);
        this.maxBytes = Math.max(2 * this.segmentBytes, maxBytes);
        this.fsyncNanos = fsyncNanos;
        this.events = events;
        this.opener = opener;
        this.committedFile = dir.resolve("committed");
        this.rejected = new RejectedFile(dir.resolve("rejected.jsonl"), rejectedMaxBytes);
    }

    /**
     * Opens (creating if needed) the spool in {@code dir}, forcing writes to disk at most every
     * second and reporting only what the bound dropped.
     *
     * @param maxBytes     bound of all segments together (at least two segments)
     * @param segmentBytes size at which a new segment starts
     * @param dropped      told how many undelivered records a bound-hit deleted
     */
    public static DiskSpool open(Path dir, long maxBytes, long segmentBytes, LongConsumer dropped) throws IOException {
        return open(dir, maxBytes, segmentBytes, DEFAULT_FSYNC_NANOS, dropped::accept);
    }

    /**
     * Opens (creating if needed) the spool in {@code dir}.
     *
     * @param maxBytes     bound of all segments together (at least two segments)
     * @param segmentBytes size at which a new segment starts
     * @param fsyncNanos   least interval between two forced writes ({@link #syncIfDue}); 0 at every
     *                     call, negative never (only at close)
     * @param events       told what the bound dropped and what corrupt regions were skipped
     */
    public static DiskSpool open(Path dir, long maxBytes, long segmentBytes, long fsyncNanos, SpoolEvents events) throws IOException {
        return open(dir, maxBytes, segmentBytes, fsyncNanos, RejectedFile.DEFAULT_MAX_BYTES, events, ChannelOpener.FILES);
    }

    /**
     * {@link #open(Path, long, long, long, SpoolEvents)} with the bound of {@code rejected.jsonl}
     * and the way segment files are opened for writing (tests inject failing channels).
     */
    public static DiskSpool open(Path dir, long maxBytes, long segmentBytes, long fsyncNanos, long rejectedMaxBytes,
                                 SpoolEvents events, ChannelOpener opener) throws IOException {
        DiskSpool s = new DiskSpool(dir, maxBytes, segmentBytes, fsyncNanos, rejectedMaxBytes, events, opener);
        try {
            s.load();
        } catch (IOException | RuntimeException e) {
            s.closeQuietly();
            throw e;
        }
        return s;
    }

    private void closeQuietly() {
        try {
            if (writer != null) writer.close();
            if (lockChannel != null) lockChannel.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    private void load() throws IOException {
        PrivateDirectories.create(dir);
        // one process per spool directory: two would append to the same segment numbers and
        // replay each other's trees
        lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new SpoolLockedException(dir);
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                try {
                    long seq = Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length()));
                    segments.put(seq, new Segment(seq, p));
                } catch (NumberFormatException e) {
                    // not ours: leave it alone
                }
            }
        }
        SpoolPosition marker = readMarker();
        long firstSeq = segments.isEmpty() ? 0 : segments.firstKey();
        if (marker == null || marker.segment() < firstSeq) marker = new SpoolPosition(firstSeq, 0);
        // segments wholly before the marker were delivered
        for (Segment seg : new ArrayList<>(segments.headMap(marker.segment()).values())) {
            Files.deleteIfExists(seg.path);
            segments.remove(seg.seq);
        }
        for (Segment seg : segments.values()) {
            scan(seg, seg.seq == marker.segment() ? marker.offset() : -1);
            totalBytes += seg.size;
            pendingRecords += seg.records - seg.committedRecords;
        }
        if (!segments.isEmpty() && !segments.containsKey(marker.segment())) {
            Long next = segments.ceilingKey(marker.segment());
            marker = new SpoolPosition(next, 0);
        }
        Segment head = segments.get(marker.segment());
        if (head != null && marker.offset() > head.size) marker = new SpoolPosition(head.seq, head.size);
        for (Segment seg : segments.values()) seg.readRecords = seg.committedRecords;
        unreadRecords = pendingRecords;
        long next = segments.isEmpty() ? Math.max(marker.segment(), 0) : segments.lastKey() + 1;
        startSegment(next);
        if (head == null) marker = new SpoolPosition(next, 0);
        committed = marker;
        readPos = marker;
    }

    /**
     * Validates a segment: counts its records, remembers (and reports) corrupt regions, cuts a torn
     * or corrupt tail.
     */
    private void scan(Segment seg, long committedOffset) throws IOException {
        try (FileChannel ch = FileChannel.open(seg.path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long[] tail = {-1};
            SegmentReader r = new SegmentReader(ch, 0, size, seg.bad, (offset, bytes, isTail) -> {
                if (isTail) tail[0] = offset;
                else corrupt(seg, offset, bytes, "skipped a corrupt region");
            });
            while (r.next()) {
                if (committedOffset >= 0 && r.recordOffset() < committedOffset) seg.committedRecords++;
                seg.records++;
            }
            long end = size;
            if (tail[0] >= 0) {
                end = tail[0];
                seg.bad.remove(end);
                corrupt(seg, end, size - end, "cut a torn or corrupt tail");
                ch.truncate(end);
            }
            seg.size = end;
        }
    }

    private void corrupt(Segment seg, long offset, long bytes, String what) {
        Stderr.line("spool " + seg.path + ": " + what + " of " + bytes + " bytes at offset " + offset
                + " (the trees in it are lost; counted in JackSpoolCorrupt)");
        events.corrupt(seg.path, offset, bytes);
    }

    private SpoolPosition readMarker() {
        try {
            if (!Files.exists(committedFile)) return null;
            String[] f = Files.readString(committedFile, StandardCharsets.US_ASCII).trim().split("\\s+");
            return new SpoolPosition(Long.parseLong(f[0]), Long.parseLong(f[1]));
        } catch (IOException | RuntimeException e) {
            Stderr.line("spool marker " + committedFile + " unreadable (" + Stderr.describe(e)
                    + "): replaying every spooled tree (duplicates are possible)");
            return null;
        }
    }

    private void startSegment(long seq) throws IOException {
        if (writer != null) {
            if (dirty && fsyncNanos >= 0) forceQuietly(writer);
            writer.close();
        }
        Segment seg = new Segment(seq, dir.resolve(String.format("%s%020d%s", PREFIX, seq, SUFFIX)));
        writer = opener.open(seg.path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        seg.size = writer.size();
        segments.put(seq, seg);
    }

    /** Appends trees in order. */
    public synchronized void append(List<EncodedTree> trees) {
        for (EncodedTree t : trees) append(t);
    }

    /**
     * Appends one tree. On a write error (disk full, I/O error) the segment is cut back to its last
     * good size before the error is thrown: nothing of this record stays.
     *
     * @throws UncheckedIOException when the record could not be written
     * @throws IllegalArgumentException when the tree is larger than the one size limit
     */
    public synchronized void append(EncodedTree tree) {
        if (closed) throw new IllegalStateException("spool closed");
        ByteBuffer buf = SpoolRecord.frame(tree);
        int n = buf.remaining();
        try {
            Segment active = segments.lastEntry().getValue();
            if (brokenTail || active.size > 0 && active.size + n > segmentBytes) {
                startSegment(active.seq + 1);
                brokenTail = false;
                active = segments.lastEntry().getValue();
            }
            while (totalBytes + n > maxBytes && segments.size() > 1) dropOldest();
            if (!writer.isOpen()) reopenWriter(active);
            write(active, buf);
            active.size += n;
            active.records++;
            totalBytes += n;
            pendingRecords++;
            unreadRecords++;
            dirty = true;
        } catch (IOException e) {
            throw new UncheckedIOException("spool " + dir + ": " + Stderr.describe(e), e);
        }
    }

    private void write(Segment active, ByteBuffer buf) throws IOException {
        try {
            try {
                while (buf.hasRemaining()) writer.write(buf);
            } catch (ClosedChannelException e) {
                // the appending thread was interrupted (an interruptible channel closes then): cut
                // what this record left half-written and write it again on a fresh channel
                boolean interrupted = Thread.interrupted();
                try {
                    reopenWriter(active);
                    buf.rewind();
                    while (buf.hasRemaining()) writer.write(buf);
                } finally {
                    if (interrupted) Thread.currentThread().interrupt();
                }
            }
        } catch (IOException e) {
            // disk full or an I/O error: a partial record must never stay in front of later ones
            cutBack(active);
            throw e;
        }
    }

    /** Cuts the active segment back to its last good size; when even that fails, the next append starts a new segment. */
    private void cutBack(Segment active) {
        try {
            if (!writer.isOpen()) reopenWriter(active);
            else writer.truncate(active.size);
        } catch (IOException | RuntimeException e) {
            // reads stop at active.size anyway; the next open cuts this tail
            brokenTail = true;
        }
    }

    private void reopenWriter(Segment active) throws IOException {
        if (writer != null && writer.isOpen()) writer.close();
        writer = opener.open(active.path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        writer.truncate(active.size);
        writer.position(active.size);
    }

    private void dropOldest() throws IOException {
        Segment head = segments.pollFirstEntry().getValue();
        closeReader(head);
        Files.deleteIfExists(head.path);
        totalBytes -= head.size;
        long lost = head.records - head.committedRecords;
        pendingRecords -= lost;
        unreadRecords -= head.records - head.readRecords;
        long first = segments.firstKey();
        if (readPos.segment() <= head.seq) readPos = new SpoolPosition(first, 0);
        committed = new SpoolPosition(first, 0);
        writeMarker();
        if (lost > 0) events.dropped(lost);
    }

    /**
     * Reads the next records after the read position, at most {@code maxRecords} and about
     * {@code maxBytes} (a single bigger record is still returned whole), never across a segment.
     * Each record's bounds and checksum are checked; a bad region is skipped (reported once to
     * {@link SpoolEvents#corrupt}) and the trees in it no longer count as pending.
     *
     * @return the chunk, or null when nothing (valid) was left to hand out
     */
    public SpoolChunk read(int maxRecords, int maxBytes) {
        while (true) {
            SpoolChunk c = readOnce(maxRecords, maxBytes);
            // an empty chunk: only a corrupt region was passed; go on behind it
            if (c == null || c.size() > 0) return c;
        }
    }

    private SpoolChunk readOnce(int maxRecords, int maxBytes) {
        FileChannel ch;
        SpoolPosition start;
        long limit;
        long recordsAtLimit;
        Segment seg;
        synchronized (this) {
            if (closed) return null;
            normalizeReadPos();
            seg = segments.get(readPos.segment());
            if (seg == null || readPos.offset() >= seg.size) return null;
            try {
                if (seg.reader == null || !seg.reader.isOpen()) seg.reader = FileChannel.open(seg.path, StandardOpenOption.READ);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ch = seg.reader;
            start = readPos;
            limit = seg.size;
            recordsAtLimit = seg.records;
        }
        List<EncodedTree> trees = new ArrayList<>();
        long pos;
        try {
            final Segment s = seg;
            SegmentReader r = new SegmentReader(ch, start.offset(), limit, seg.bad,
                    (offset, bytes, tail) -> corrupt(s, offset, bytes, "skipped a corrupt region"));
            long bytes = 0;
            while (trees.size() < maxRecords && (trees.isEmpty() || bytes < maxBytes) && r.next()) {
                ByteBuffer body = r.body();
                int len = body.remaining();
                int idLen = body.getShort() & 0xFFFF;
                byte[] id = new byte[idLen];
                body.get(id);
                byte[] json = new byte[len - 2 - idLen];
                body.get(json);
                trees.add(new EncodedTree(new String(id, StandardCharsets.UTF_8), json));
                bytes += HEADER + len;
            }
            pos = r.position();
        } catch (IOException e) {
            // the segment was dropped meanwhile (bound hit): the next read starts at the new head
            return null;
        }
        SpoolPosition end = new SpoolPosition(start.segment(), pos);
        synchronized (this) {
            if (!readPos.equals(start)) return null; // rewound or dropped meanwhile
            readPos = end;
            unreadRecords -= trees.size();
            seg.readRecords += trees.size();
            if (pos == limit && seg.readRecords < recordsAtLimit && segments.get(seg.seq) == seg) {
                // the end of what was written: the records not found were in corrupt regions
                long lost = recordsAtLimit - seg.readRecords;
                seg.readRecords += lost;
                seg.committedRecords += lost;
                unreadRecords -= lost;
                pendingRecords -= lost;
            }
        }
        return new SpoolChunk(trees, end);
    }

    /** Moves a read position at the end of a finished segment to the start of the next one. */
    private void normalizeReadPos() {
        Segment seg = segments.get(readPos.segment());
        if (seg == null) {
            Map.Entry<Long, Segment> next = segments.ceilingEntry(readPos.segment());
            if (next != null) readPos = new SpoolPosition(next.getKey(), 0);
            return;
        }
        while (readPos.offset() >= seg.size && seg != segments.lastEntry().getValue()) {
            seg = segments.higherEntry(seg.seq).getValue();
            readPos = new SpoolPosition(seg.seq, 0);
        }
    }

    /**
     * Marks everything before {@code end} as delivered: persists the marker and deletes finished
     * segments. Positions at or before the committed one are ignored.
     *
     * @param records how many records the commit covers
     */
    public synchronized void commit(SpoolPosition end, int records) {
        if (closed || !end.isAfter(committed) || !segments.containsKey(end.segment())) return;
        committed = end;
        pendingRecords -= records;
        Segment seg = segments.get(end.segment());
        seg.committedRecords += records;
        try {
            for (Segment old : new ArrayList<>(segments.headMap(end.segment()).values())) {
                closeReader(old);
                Files.deleteIfExists(old.path);
                totalBytes -= old.size;
                segments.remove(old.seq);
            }
            writeMarker();
        } catch (IOException e) {
            Stderr.line("spool " + dir + ": cannot commit: " + Stderr.describe(e));
        }
    }

    /** Forgets what was read but not committed: the next read starts at the committed position. */
    public synchronized void rewind() {
        if (readPos.equals(committed)) return;
        unreadRecords = pendingRecords;
        for (Segment seg : segments.values()) seg.readRecords = seg.committedRecords;
        readPos = committed;
    }

    private void writeMarker() throws IOException {
        Path tmp = dir.resolve("committed.tmp");
        Files.writeString(tmp, committed.segment() + " " + committed.offset() + "\n", StandardCharsets.US_ASCII);
        try {
            Files.move(tmp, committedFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, committedFile, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Keeps a tree no publisher can take, one B4 line in {@code rejected.jsonl} (bounded, rotated). */
    public void reject(EncodedTree tree) {
        rejected.append(tree.json());
    }

    /**
     * Takes over the spool another process left in {@code other} (it ended before replaying it):
     * its undelivered trees are appended here, in order, and the directory is deleted.
     *
     * @return trees adopted; 0 when {@code other} is still in use
     */
    public int adopt(Path other) throws IOException {
        DiskSpool o;
        try {
            o = DiskSpool.open(other, Long.MAX_VALUE / 4, segmentBytes, -1, RejectedFile.DEFAULT_MAX_BYTES, events, ChannelOpener.FILES);
        } catch (SpoolLockedException e) {
            return 0;
        }
        int n = 0;
        try {
            SpoolChunk c;
            while ((c = o.read(4096, 4 * 1024 * 1024)) != null) {
                append(c.trees());
                n += c.size();
            }
            for (EncodedTree t : o.rejected.readAll()) reject(t);
        } finally {
            o.close();
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(other)) {
            for (Path p : ds) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(other);
        return n;
    }

    /** True when records wait that were not handed out by {@link #read}. */
    public synchronized boolean hasUnread() {
        if (closed) return false;
        return unreadRecords > 0;
    }

    /** Records not yet committed (spooled, not known delivered). */
    public synchronized long pending() { return pendingRecords; }

    /** Bytes on disk in segments. */
    public synchronized long sizeBytes() { return totalBytes; }

    /** The spool's directory. */
    public Path directory() { return dir; }

    /** The rejected-trees file. */
    public Path rejectedFile() { return rejected.path(); }

    /** Forces appended records to disk now (flush at exit). */
    public void sync() {
        FileChannel w;
        synchronized (this) {
            if (closed) return;
            w = writer;
            dirty = false;
            lastSync = System.nanoTime();
        }
        force(w);
    }

    /**
     * Forces appended records to disk when some were appended and the fsync interval has passed
     * since the last time; the slow part runs outside the lock, so appends do not wait for it.
     */
    public void syncIfDue() {
        FileChannel w;
        synchronized (this) {
            long now = System.nanoTime();
            if (closed || !dirty || fsyncNanos < 0 || now - lastSync < fsyncNanos) return;
            w = writer;
            dirty = false;
            lastSync = now;
        }
        force(w);
    }

    private void force(FileChannel w) {
        try {
            w.force(false);
        } catch (ClosedChannelException e) {
            // the segment rolled over meanwhile (forced then) or the spool closed
        } catch (IOException e) {
            if (syncErrorLines.next()) {
                Stderr.line("spool " + dir + ": cannot sync: " + Stderr.describe(e) + " [" + syncErrorLines.count() + " so far]");
            }
        }
    }

    private static void forceQuietly(FileChannel w) {
        try {
            w.force(false);
        } catch (IOException e) {
            // reported by the next sync if it persists
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        forceQuietly(writer);
        closed = true;
        try {
            writer.close();
        } catch (IOException e) {
            // nothing to do
        }
        for (Segment s : segments.values()) closeReader(s);
        try {
            lockChannel.close(); // releases the lock
        } catch (IOException e) {
            // nothing to do
        }
        // an empty last segment has nothing to keep
        Segment last = segments.lastEntry().getValue();
        if (last.size == 0 && segments.size() > 1 || last.size == 0 && pendingRecords == 0) {
            try {
                Files.deleteIfExists(last.path);
            } catch (IOException e) {
                // harmless: an empty segment is skipped next time
            }
        }
    }

    private static void closeReader(Segment s) {
        if (s.reader != null) {
            try {
                s.reader.close();
            } catch (IOException e) {
                // nothing to do
            }
            s.reader = null;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) throw new IOException("unexpected end of " + ch);
            pos += n;
        }
    }
}
