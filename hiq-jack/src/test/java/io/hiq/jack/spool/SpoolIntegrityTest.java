package io.hiq.jack.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hiq.jack.publisher.EncodedTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool's integrity under faults: failed appends (an injected failing channel, a full tmpfs),
 * torn and bit-flipped records, absurd length fields. Nothing partial stays, nothing corrupt is
 * trusted, every skipped region is counted, and no read allocates more than one record's bound.
 */
class SpoolIntegrityTest {
    @TempDir Path dir;
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong corrupt = new AtomicLong();
    final SpoolEvents events = new SpoolEvents() {
        @Override public void dropped(long trees) { dropped.addAndGet(trees); }
        @Override public void corrupt(Path segment, long offset, long bytes) { corrupt.incrementAndGet(); }
    };

    DiskSpool open(Path d) throws IOException {
        return DiskSpool.open(d, 64L << 20, 8L << 20, 0, events);
    }

    static EncodedTree tree(int i, int pad) {
        String json = "{\"id\":\"t" + i + "\",\"pad\":\"" + "p".repeat(pad) + "\"}";
        return new EncodedTree("t" + i, json.getBytes(StandardCharsets.UTF_8));
    }

    static List<String> drain(DiskSpool s) {
        List<String> out = new ArrayList<>();
        SpoolChunk c;
        while ((c = s.read(7, 1 << 20)) != null) {
            for (EncodedTree t : c.trees()) out.add(t.id());
            s.commit(c.end(), c.size());
        }
        return out;
    }

    Path onlySegment(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().startsWith("segment-")).sorted().findFirst().orElseThrow();
        }
    }

    @Test
    void aBitFlipInTheMiddleCostsThatRecordOnlyAndIsCounted() throws IOException {
        try (DiskSpool s = open(dir)) {
            for (int i = 0; i < 10; i++) s.append(tree(i, 40));
        }
        Path seg = onlySegment(dir);
        int recordBytes = 8 + 2 + 2 + tree(0, 40).size();
        flip(seg, 4L * recordBytes + 30); // inside record t4's body
        try (DiskSpool s = open(dir)) {
            assertThat(corrupt.get()).isEqualTo(1);
            assertThat(s.pending()).isEqualTo(9);
            assertThat(drain(s)).containsExactly("t0", "t1", "t2", "t3", "t5", "t6", "t7", "t8", "t9");
            assertThat(s.pending()).isZero();
        }
        // counted once, not again at the next open of the same bytes... the region is still on disk
        // only if its segment was not delivered; here it was deleted with the delivered segment
    }

    @Test
    void anAbsurdLengthFieldIsNeverAllocatedAndTheRecordsBehindItAreKept() throws IOException {
        try (DiskSpool s = open(dir)) {
            for (int i = 0; i < 5; i++) s.append(tree(i, 20));
        }
        Path seg = onlySegment(dir);
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).putInt(0, 0x7ffffff0), 0); // t0's length: ~2 GB
        }
        Runtime rt = Runtime.getRuntime();
        try (DiskSpool s = open(dir)) {
            assertThat(corrupt.get()).isEqualTo(1);
            assertThat(drain(s)).containsExactly("t1", "t2", "t3", "t4");
        }
        assertThat(rt.maxMemory()).isPositive(); // the 2 GB record was never allocated: we are still here
    }

    @Test
    void corruptionFoundWhileRunningIsSkippedCountedOnceAndNotPending() throws IOException {
        try (DiskSpool s = open(dir)) {
            for (int i = 0; i < 6; i++) s.append(tree(i, 30));
            int recordBytes = 8 + 2 + 2 + tree(0, 30).size();
            flip(onlySegment(dir), 2L * recordBytes + 8 + 5);
            SpoolChunk c = s.read(100, 1 << 20);
            assertThat(c.trees()).extracting(EncodedTree::id).containsExactly("t0", "t1", "t3", "t4", "t5");
            assertThat(corrupt.get()).isEqualTo(1);
            s.rewind(); // a failed delivery: read again, the bad region is not counted again
            c = s.read(100, 1 << 20);
            assertThat(c.size()).isEqualTo(5);
            assertThat(corrupt.get()).isEqualTo(1);
            s.commit(c.end(), c.size());
            assertThat(s.pending()).isZero();
            assertThat(s.hasUnread()).isFalse();
        }
    }

    @Test
    void aTornTailIsCutAndCounted() throws IOException {
        try (DiskSpool s = open(dir)) {
            for (int i = 0; i < 4; i++) s.append(tree(i, 30));
        }
        Path seg = onlySegment(dir);
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 5);
        }
        try (DiskSpool s = open(dir)) {
            assertThat(corrupt.get()).isEqualTo(1);
            assertThat(drain(s)).containsExactly("t0", "t1", "t2");
        }
    }

    @Test
    void aFailedAppendLeavesNothingBehindAndLaterAppendsAreReadable() throws IOException {
        AtomicBoolean fail = new AtomicBoolean();
        ChannelOpener opener = (p, o) -> new FailingChannel(FileChannel.open(p, o), fail);
        try (DiskSpool s = DiskSpool.open(dir, 64L << 20, 8L << 20, 0, 1 << 20, events, opener)) {
            s.append(tree(0, 50));
            fail.set(true);
            assertThatThrownBy(() -> s.append(tree(1, 500))).isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("No space left");
            fail.set(false);
            s.append(tree(2, 50));
            assertThat(s.pending()).isEqualTo(2);
        }
        try (DiskSpool s = open(dir)) {
            assertThat(corrupt.get()).as("no partial record was left").isZero();
            assertThat(drain(s)).containsExactly("t0", "t2");
        }
    }

    @Test
    void aFullFileSystemNeverCorruptsTheSpool() throws Exception {
        Path mnt = dir.resolve("tiny");
        Files.createDirectories(mnt);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt.toString())
                .redirectErrorStream(true).start();
        boolean done = p.waitFor(20, TimeUnit.SECONDS);
        assumeTrue(done && p.exitValue() == 0, "mounting a tmpfs is not allowed here (needs root): "
                + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
        try {
            int ok = 0;
            int failed = 0;
            try (DiskSpool s = open(mnt.resolve("spool"))) {
                for (int i = 0; i < 400; i++) {
                    try {
                        s.append(tree(i, 1000));
                        ok++;
                    } catch (UncheckedIOException e) {
                        failed++;
                    }
                }
            }
            assertThat(failed).as("the 256 KiB file system filled up").isPositive();
            try (DiskSpool s = open(mnt.resolve("spool"))) {
                assertThat(corrupt.get()).as("no partial record was left").isZero();
                assertThat(drain(s)).hasSize(ok);
            }
        } finally {
            new ProcessBuilder("umount", mnt.toString()).start().waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void rejectedFileIsBoundedAndRotated() throws IOException {
        try (DiskSpool s = DiskSpool.open(dir, 64L << 20, 8L << 20, 0, 4096, events, ChannelOpener.FILES)) {
            for (int i = 0; i < 100; i++) s.reject(tree(i, 200));
            assertThat(Files.size(s.rejectedFile())).isLessThanOrEqualTo(4096);
            assertThat(Files.size(dir.resolve("rejected.jsonl.1"))).isLessThanOrEqualTo(4096);
            assertThat(Files.readAllLines(s.rejectedFile()).get(Files.readAllLines(s.rejectedFile()).size() - 1))
                    .contains("\"t99\"");
        }
    }

    @Test
    void theSpoolDirectoryIsOwnerOnly() throws IOException {
        Path d = dir.resolve("home/spool");
        try (DiskSpool s = open(d)) {
            if (io.hiq.jack.files.PrivateDirectories.posix()) {
                assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(d))).isEqualTo("rwx------");
                assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(d.getParent()))).isEqualTo("rwx------");
            }
        }
    }

    static void flip(Path file, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x10));
            b.rewind();
            ch.write(b, at);
        }
    }

    /** A real channel whose writes, while {@code fail} is set, write a part and then fail like a full disk. */
    static final class FailingChannel extends FileChannel {
        final FileChannel d;
        final AtomicBoolean fail;

        FailingChannel(FileChannel d, AtomicBoolean fail) {
            this.d = d;
            this.fail = fail;
        }

        @Override public int write(ByteBuffer src) throws IOException {
            if (fail.get()) {
                ByteBuffer part = src.duplicate();
                part.limit(part.position() + Math.max(1, part.remaining() / 3));
                int n = d.write(part);
                src.position(src.position() + n);
                throw new IOException("No space left on device");
            }
            return d.write(src);
        }
        @Override public int read(ByteBuffer dst) throws IOException { return d.read(dst); }
        @Override public long read(ByteBuffer[] dsts, int offset, int length) throws IOException { return d.read(dsts, offset, length); }
        @Override public long write(ByteBuffer[] srcs, int offset, int length) throws IOException { throw new IOException("not used"); }
        @Override public long position() throws IOException { return d.position(); }
        @Override public FileChannel position(long p) throws IOException { d.position(p); return this; }
        @Override public long size() throws IOException { return d.size(); }
        @Override public FileChannel truncate(long size) throws IOException { d.truncate(size); return this; }
        @Override public void force(boolean metaData) throws IOException { d.force(metaData); }
        @Override public long transferTo(long position, long count, WritableByteChannel target) throws IOException { return d.transferTo(position, count, target); }
        @Override public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException { return d.transferFrom(src, position, count); }
        @Override public int read(ByteBuffer dst, long position) throws IOException { return d.read(dst, position); }
        @Override public int write(ByteBuffer src, long position) throws IOException { return d.write(src, position); }
        @Override public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException { return d.map(mode, position, size); }
        @Override public FileLock lock(long position, long size, boolean shared) throws IOException { return d.lock(position, size, shared); }
        @Override public FileLock tryLock(long position, long size, boolean shared) throws IOException { return d.tryLock(position, size, shared); }
        @Override protected void implCloseChannel() throws IOException { d.close(); }
    }
}
