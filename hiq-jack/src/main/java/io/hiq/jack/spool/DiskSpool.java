package io.hiq.jack.spool;

import io.hiq.jack.publisher.EncodedTree;
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
import java.util.function.LongConsumer;
import java.util.zip.CRC32;

/**
 * Jack's bounded disk spool: trees that could not be delivered, kept in order until they are.
 *
 * <p>One process at a time: {@code lock} (an OS file lock) guards the directory; another process
 * gets a {@link SpoolLockedException} and uses a directory of its own, which a later process adopts
 * ({@link #adopt}).
 *
 * <p>Layout under its directory: append-only segment files {@code segment-<20 digits>.spool} made
 * of records {@code [int length][int crc32][u16 idLength][id UTF-8][B4 JSON]} (length and crc over
 * what follows them), a {@code committed} marker ({@code "<segment> <offset>"}, replaced
 * atomically) telling where delivered records end, and {@code rejected.jsonl}: trees no publisher
 * can take (too large), one B4 line each, kept for a human.
 *
 * <p>Records are read from the committed position in append order; a reader commits a chunk's end
 * once it was delivered; a process that stops before that replays the chunk next time
 * (at-least-once). On open, a torn last record (a crash mid-write) is cut off, and appending starts
 * in a new segment.
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
    private static final int HEADER = 8;
    /** Largest record accepted, a guard against a corrupt length field. */
    private static final int MAX_RECORD = 64 * 1024 * 1024;

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final LongConsumer dropped;
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private final Path committedFile;
    private final Path rejectedFile;

    private FileChannel writer;
    private FileChannel lockChannel;
    private SpoolPosition committed;
    private SpoolPosition readPos;
    private long totalBytes;
    private long pendingRecords;
    private long unreadRecords;
    private boolean closed;

    private static final class Segment {
        final long seq;
        final Path path;
        long size;
        long records;
        /** Records before the committed offset (for counting what a drop loses). */
        long committedRecords;
        /** Records handed out by {@link #read} (committed ones included) since the last rewind. */
        long readRecords;
        FileChannel reader;

        Segment(long seq, Path path) {
            this.seq = seq;
            this.path = path;
        }
    }

    private DiskSpool(Path dir, long maxBytes, long segmentBytes, LongConsumer dropped) {
        this.dir = dir;
        this.segmentBytes = Math.max(4096, segmentBytes);
        this.maxBytes = Math.max(2 * this.segmentBytes, maxBytes);
        this.dropped = dropped;
        this.committedFile = dir.resolve("committed");
        this.rejectedFile = dir.resolve("rejected.jsonl");
    }

    /**
     * Opens (creating if needed) the spool in {@code dir}.
     *
     * @param maxBytes     bound of all segments together (at least two segments)
     * @param segmentBytes size at which a new segment starts
     * @param dropped      told how many undelivered records a bound-hit deleted
     */
    public static DiskSpool open(Path dir, long maxBytes, long segmentBytes, LongConsumer dropped) throws IOException {
        DiskSpool s = new DiskSpool(dir, maxBytes, segmentBytes, dropped);
        s.load();
        return s;
    }

    private void load() throws IOException {
        Files.createDirectories(dir);
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

    /** Validates a segment, cutting a torn or corrupt tail; counts its records. */
    private void scan(Segment seg, long committedOffset) throws IOException {
        try (FileChannel ch = FileChannel.open(seg.path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long pos = 0;
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            CRC32 crc = new CRC32();
            while (pos + HEADER <= size) {
                header.clear();
                readFully(ch, header, pos);
                header.flip();
                int len = header.getInt();
                int sum = header.getInt();
                if (len < 2 || len > MAX_RECORD || pos + HEADER + len > size) break;
                ByteBuffer body = ByteBuffer.allocate(len);
                readFully(ch, body, pos + HEADER);
                crc.reset();
                crc.update(body.array(), 0, len);
                if ((int) crc.getValue() != sum) break;
                if (committedOffset >= 0 && pos < committedOffset) seg.committedRecords++;
                seg.records++;
                pos += HEADER + len;
            }
            if (pos < size) {
                System.err.println("hiq: jack: spool " + seg.path + ": cut a torn or corrupt tail of "
                        + (size - pos) + " bytes at offset " + pos);
                ch.truncate(pos);
            }
            seg.size = pos;
        }
    }

    private SpoolPosition readMarker() {
        try {
            if (!Files.exists(committedFile)) return null;
            String[] f = Files.readString(committedFile, StandardCharsets.US_ASCII).trim().split("\\s+");
            return new SpoolPosition(Long.parseLong(f[0]), Long.parseLong(f[1]));
        } catch (IOException | RuntimeException e) {
            System.err.println("hiq: jack: spool marker " + committedFile + " unreadable (" + e
                    + "): replaying every spooled tree (duplicates are possible)");
            return null;
        }
    }

    private void startSegment(long seq) throws IOException {
        if (writer != null) writer.close();
        Segment seg = new Segment(seq, dir.resolve(String.format("%s%020d%s", PREFIX, seq, SUFFIX)));
        writer = FileChannel.open(seg.path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        seg.size = writer.size();
        segments.put(seq, seg);
    }

    /** Appends trees in order. */
    public synchronized void append(List<EncodedTree> trees) {
        for (EncodedTree t : trees) append(t);
    }

    /** Appends one tree. */
    public synchronized void append(EncodedTree tree) {
        if (closed) throw new IllegalStateException("spool closed");
        byte[] id = tree.id().getBytes(StandardCharsets.UTF_8);
        int idLen = Math.min(id.length, 0xFFFF);
        int len = 2 + idLen + tree.json().length;
        ByteBuffer buf = ByteBuffer.allocate(HEADER + len);
        buf.putInt(len).putInt(0).putShort((short) idLen).put(id, 0, idLen).put(tree.json());
        CRC32 crc = new CRC32();
        crc.update(buf.array(), HEADER, len);
        buf.putInt(4, (int) crc.getValue());
        buf.flip();
        try {
            Segment active = segments.lastEntry().getValue();
            if (active.size > 0 && active.size + buf.remaining() > segmentBytes) {
                startSegment(active.seq + 1);
                active = segments.lastEntry().getValue();
            }
            while (totalBytes + buf.remaining() > maxBytes && segments.size() > 1) dropOldest();
            if (!writer.isOpen()) reopenWriter(active);
            try {
                while (buf.hasRemaining()) writer.write(buf);
            } catch (ClosedChannelException e) {
                // the appending thread was interrupted (an interruptible channel closes then): cut
                // what this record left half-written and write it again on a fresh channel
                boolean interrupted = Thread.interrupted();
                reopenWriter(active);
                buf.rewind();
                while (buf.hasRemaining()) writer.write(buf);
                if (interrupted) Thread.currentThread().interrupt();
            }
            active.size += HEADER + len;
            active.records++;
            totalBytes += HEADER + len;
            pendingRecords++;
            unreadRecords++;
        } catch (IOException e) {
            throw new UncheckedIOException("spool " + dir + ": " + e.getMessage(), e);
        }
    }

    private void reopenWriter(Segment active) throws IOException {
        writer = FileChannel.open(active.path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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
        if (lost > 0) dropped.accept(lost);
    }

    /**
     * Reads the next records after the read position, at most {@code maxRecords} and about
     * {@code maxBytes} (a single bigger record is still returned whole), never across a segment.
     *
     * @return the chunk, or null when everything was handed out
     */
    public SpoolChunk read(int maxRecords, int maxBytes) {
        FileChannel ch;
        SpoolPosition start;
        long limit;
        synchronized (this) {
            if (closed) return null;
            normalizeReadPos();
            Segment seg = segments.get(readPos.segment());
            if (seg == null || readPos.offset() >= seg.size) return null;
            try {
                if (seg.reader == null || !seg.reader.isOpen()) seg.reader = FileChannel.open(seg.path, StandardOpenOption.READ);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ch = seg.reader;
            start = readPos;
            limit = seg.size;
        }
        List<EncodedTree> trees = new ArrayList<>();
        long pos = start.offset();
        try {
            int want = (int) Math.min(limit - pos, Math.max(maxBytes, HEADER));
            ByteBuffer block = ByteBuffer.allocate(want);
            readFully(ch, block, pos);
            block.flip();
            while (trees.size() < maxRecords && block.remaining() >= HEADER) {
                int len = block.getInt(block.position());
                if (block.remaining() < HEADER + len) {
                    if (!trees.isEmpty()) break;
                    // a single record larger than the block: read it on its own
                    ByteBuffer one = ByteBuffer.allocate(HEADER + len);
                    readFully(ch, one, pos);
                    one.flip();
                    block = one;
                }
                block.getInt();
                block.getInt(); // crc was checked when the segment was opened or written by us
                int idLen = block.getShort() & 0xFFFF;
                byte[] id = new byte[idLen];
                block.get(id);
                byte[] json = new byte[len - 2 - idLen];
                block.get(json);
                trees.add(new EncodedTree(new String(id, StandardCharsets.UTF_8), json));
                pos += HEADER + len;
            }
        } catch (IOException e) {
            // the segment was dropped meanwhile (bound hit): the next read starts at the new head
            return null;
        }
        if (trees.isEmpty()) return null;
        SpoolPosition end = new SpoolPosition(start.segment(), pos);
        synchronized (this) {
            if (!readPos.equals(start)) return null; // rewound or dropped meanwhile
            readPos = end;
            unreadRecords -= trees.size();
            Segment seg = segments.get(start.segment());
            if (seg != null) seg.readRecords += trees.size();
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
            System.err.println("hiq: jack: spool " + dir + ": cannot commit: " + e.getMessage());
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

    /** Keeps a tree no publisher can take, one B4 line in {@code rejected.jsonl}. */
    public synchronized void reject(EncodedTree tree) {
        try (FileChannel ch = FileChannel.open(rejectedFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.allocate(tree.json().length + 1).put(tree.json()).put((byte) '\n');
            b.flip();
            while (b.hasRemaining()) ch.write(b);
        } catch (IOException e) {
            System.err.println("hiq: jack: cannot write " + rejectedFile + ": " + e.getMessage());
        }
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
            o = DiskSpool.open(other, Long.MAX_VALUE / 4, segmentBytes, n -> { });
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
            for (EncodedTree t : o.readRejected()) reject(t);
        } finally {
            o.close();
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(other)) {
            for (Path p : ds) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(other);
        return n;
    }

    private List<EncodedTree> readRejected() throws IOException {
        List<EncodedTree> out = new ArrayList<>();
        if (!Files.exists(rejectedFile)) return out;
        for (String line : Files.readAllLines(rejectedFile, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) out.add(new EncodedTree("rejected", line.getBytes(StandardCharsets.UTF_8)));
        }
        return out;
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
    public Path rejectedFile() { return rejectedFile; }

    /** Forces appended records to disk. */
    public synchronized void sync() {
        if (closed) return;
        try {
            writer.force(false);
        } catch (IOException e) {
            System.err.println("hiq: jack: spool " + dir + ": cannot sync: " + e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        sync();
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
