package io.hiq.jack.spool;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.jack.publisher.EncodedTree;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskSpoolTest {
    @TempDir Path dir;
    final AtomicLong dropped = new AtomicLong();

    static EncodedTree tree(int i, int size) {
        String json = "{\"id\":\"t" + i + "\",\"pad\":\"" + "p".repeat(Math.max(0, size)) + "\"}";
        return new EncodedTree("t" + i, json.getBytes(StandardCharsets.UTF_8));
    }

    static List<String> ids(SpoolChunk c) {
        List<String> out = new ArrayList<>();
        for (EncodedTree t : c.trees()) out.add(t.id());
        return out;
    }

    List<String> drain(DiskSpool s) {
        List<String> out = new ArrayList<>();
        SpoolChunk c;
        while ((c = s.read(7, 1 << 20)) != null) {
            out.addAll(ids(c));
            s.commit(c.end(), c.size());
        }
        return out;
    }

    static List<String> range(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) out.add("t" + i);
        return out;
    }

    @Test
    void readsInAppendOrderAcrossSegmentsAndDeletesWhatWasCommitted() throws IOException {
        try (DiskSpool s = DiskSpool.open(dir, 10 << 20, 4096, dropped::addAndGet)) {
            for (int i = 0; i < 100; i++) s.append(tree(i, 100));
            assertThat(s.pending()).isEqualTo(100);
            assertThat(segments()).hasSizeGreaterThan(2);
            SpoolChunk c = s.read(10, 1 << 20);
            assertThat(ids(c)).isEqualTo(range(0, 10));
            assertThat(new String(c.trees().get(3).json(), StandardCharsets.UTF_8)).isEqualTo(new String(tree(3, 100).json(), StandardCharsets.UTF_8));
            s.commit(c.end(), c.size());
            assertThat(drain(s)).isEqualTo(range(10, 100));
            assertThat(s.pending()).isZero();
            assertThat(s.hasUnread()).isFalse();
        }
        // only the (empty) tail is left, or nothing
        assertThat(segments().size()).isLessThanOrEqualTo(1);
    }

    @Test
    void rewindReadsUncommittedRecordsAgain() throws IOException {
        try (DiskSpool s = DiskSpool.open(dir, 10 << 20, 1 << 20, dropped::addAndGet)) {
            for (int i = 0; i < 20; i++) s.append(tree(i, 10));
            SpoolChunk a = s.read(5, 1 << 20);
            s.commit(a.end(), a.size());
            SpoolChunk b = s.read(5, 1 << 20);
            assertThat(ids(b)).isEqualTo(range(5, 10));
            s.rewind(); // b was not delivered
            assertThat(drain(s)).isEqualTo(range(5, 20));
        }
    }

    @Test
    void survivesARestartFromTheCommittedPosition() throws IOException {
        try (DiskSpool s = DiskSpool.open(dir, 10 << 20, 2048, dropped::addAndGet)) {
            for (int i = 0; i < 50; i++) s.append(tree(i, 50));
            SpoolChunk c = s.read(12, 1 << 20);
            s.commit(c.end(), c.size());
            s.read(5, 1 << 20); // read, never committed: must come back
        }
        try (DiskSpool s = DiskSpool.open(dir, 10 << 20, 2048, dropped::addAndGet)) {
            assertThat(s.pending()).isEqualTo(50 - 12);
            s.append(tree(50, 10));
            assertThat(drain(s)).isEqualTo(range(12, 51));
        }
        try (DiskSpool s = DiskSpool.open(dir, 10 << 20, 2048, dropped::addAndGet)) {
            assertThat(s.pending()).isZero();
            assertThat(s.hasUnread()).isFalse();
        }
    }

    @Test
    void cutsATornLastRecordAndKeepsTheRest() throws IOException {
        try (DiskSpool s = DiskSpool.open(dir, 10 << 20, 1 << 20, dropped::addAndGet)) {
            for (int i = 0; i < 10; i++) s.append(tree(i, 30));
        }
        Path seg = segments().get(segments().size() - 1);
        long size = Files.size(seg);
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.truncate(size - 7); // a crash in the middle of the last write
        }
        try (DiskSpool s = DiskSpool.open(dir, 10 << 20, 1 << 20, dropped::addAndGet)) {
            assertThat(s.pending()).isEqualTo(9);
            assertThat(drain(s)).isEqualTo(range(0, 9));
        }
    }

    @Test
    void boundDropsTheOldestSegmentAndCountsWhatWasLost() throws IOException {
        // segments of ~4 KiB, bound of 3 segments
        try (DiskSpool s = DiskSpool.open(dir, 12 * 1024, 4096, dropped::addAndGet)) {
            for (int i = 0; i < 300; i++) s.append(tree(i, 100));
            assertThat(s.sizeBytes()).isLessThanOrEqualTo(12 * 1024);
            assertThat(dropped.get()).isPositive();
            List<String> left = drain(s);
            // nothing else was lost: what is left is the newest trees, in order, up to the last one
            assertThat(left.size() + dropped.get()).isEqualTo(300);
            assertThat(left).isEqualTo(range(300 - left.size(), 300));
        }
    }

    @Test
    void rejectedTreesAreKeptOneLineEach() throws IOException {
        try (DiskSpool s = DiskSpool.open(dir, 10 << 20, 1 << 20, dropped::addAndGet)) {
            s.reject(tree(1, 5));
            s.reject(tree(2, 5));
            assertThat(Files.readAllLines(s.rejectedFile())).containsExactly(
                    new String(tree(1, 5).json(), StandardCharsets.UTF_8), new String(tree(2, 5).json(), StandardCharsets.UTF_8));
            assertThat(s.pending()).isZero();
        }
    }

    List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("segment-")).sorted().toList();
        }
    }

    @Test
    void oneProcessPerDirectoryAndALeftOverSpoolIsAdoptedInOrder() throws IOException {
        Path other = dir.resolve("p4242");
        try (DiskSpool main = DiskSpool.open(dir, 10 << 20, 4096, dropped::addAndGet)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> DiskSpool.open(dir, 10 << 20, 4096, n -> { }))
                    .isInstanceOf(SpoolLockedException.class);
            main.append(tree(0, 10));
            try (DiskSpool left = DiskSpool.open(other, 10 << 20, 4096, n -> { })) {
                for (int i = 1; i < 40; i++) left.append(tree(i, 100));
                left.reject(tree(99, 3));
                assertThat(main.adopt(other)).as("still in use").isZero();
            }
            assertThat(main.adopt(other)).isEqualTo(39);
            assertThat(other).doesNotExist();
            assertThat(drain(main)).isEqualTo(range(0, 40));
            assertThat(Files.readAllLines(main.rejectedFile())).containsExactly(new String(tree(99, 3).json(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void anInterruptedAppendingThreadDoesNotBreakTheSpool() throws IOException {
        try (DiskSpool s = DiskSpool.open(dir, 10 << 20, 1 << 20, dropped::addAndGet)) {
            s.append(tree(0, 10));
            Thread.currentThread().interrupt(); // an interruptible FileChannel closes itself on this
            try {
                s.append(tree(1, 10));
            } finally {
                assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
            }
            s.append(tree(2, 10));
            assertThat(drain(s)).isEqualTo(range(0, 3));
        }
        try (DiskSpool s = DiskSpool.open(dir, 10 << 20, 1 << 20, dropped::addAndGet)) {
            assertThat(s.pending()).isZero(); // all three were committed by drain
        }
    }
}
