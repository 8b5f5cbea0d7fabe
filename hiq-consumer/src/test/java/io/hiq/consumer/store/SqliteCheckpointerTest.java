package io.hiq.consumer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.consumer.ingest.TreeValidator;
import io.hiq.consumer.support.TestTrees;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SqliteCheckpointer}: the writer never checkpoints on its own, the background thread keeps
 * the WAL bounded, and a reader pinning the WAL makes the writer truncate it itself once it is past
 * the hard limit.
 */
class SqliteCheckpointerTest {
    /** Small limits: a passive checkpoint every 64 KiB of JSON, the writer's truncation past 4 MiB of WAL. */
    static final SqliteCheckpointer.Limits SMALL = new SqliteCheckpointer.Limits(64 << 10, 100, 4 << 20);
    /** More than the WAL one batch of the tests appends (200 trees, a few hundred KiB with their index pages). */
    private static final long BATCH_WAL = 2 << 20;

    static List<StoredTree> batch(Random rnd, int from, int n) throws Exception {
        return batch(rnd, from, n, System.currentTimeMillis() * 1000);
    }

    /** Trees "ck-{from}" … started within 5 minutes before {@code now} (µs), the same ones for the same {@code rnd}. */
    static List<StoredTree> batch(Random rnd, int from, int n, long now) throws Exception {
        List<StoredTree> out = new ArrayList<>(n);
        for (int i = from; i < from + n; i++) {
            HiQTree t = TestTrees.random(rnd, "ck-" + i, "svc" + (i % 3), List.of("main", "step", "io", "db"), now, 5);
            out.add(TreeValidator.validate(TreeCodec.encode(t)));
        }
        return out;
    }

    private static long pragma(Connection c, String pragma) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + pragma)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void theWriterLeavesCheckpointsToTheBackgroundThreadWhichKeepsTheWalBounded(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("s.db");
        Random rnd = new Random(7);
        long maxWal = 0;
        int n = 0;
        try (TreeStore s = TreeStore.open("jdbc:sqlite:" + db, SMALL)) {
            SqliteCheckpointer ck = s.checkpointer();
            assertThat(ck).isNotNull();
            assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName).contains(SqliteCheckpointer.THREAD_NAME);
            s.read(c -> null); // the pool works beside it
            // several times the hard limit of JSON: without checkpoints the WAL would hold it all
            for (int b = 0; b < 100; b++) {
                List<StoredTree> batch = batch(rnd, n, 200);
                n += batch.size();
                assertThat(s.write(batch).inserted()).isEqualTo(200);
                maxWal = Math.max(maxWal, ck.walFileBytes());
            }
            await("background checkpoints to have run").atMost(Duration.ofSeconds(60)).until(() -> ck.passiveCheckpoints() > 0);
            assertThat(maxWal).as("WAL bounded: the hard limit plus one batch").isLessThan(SMALL.hardBytes() + BATCH_WAL);
            await("the database file to receive the pages").atMost(Duration.ofSeconds(60))
                    .until(() -> Files.size(db) > 3L * SMALL.hardBytes());
            assertThat(s.treeCount()).isEqualTo(n);
        }
        // the writer's own connection does not checkpoint automatically (a fresh one would: the default)
        try (Connection w = SqliteFiles.open("jdbc:sqlite:" + db, true); Connection r = SqliteFiles.open("jdbc:sqlite:" + db, false)) {
            assertThat(pragma(w, "wal_autocheckpoint")).isZero();
            assertThat(pragma(r, "wal_autocheckpoint")).isEqualTo(1000);
        }
    }

    @Test
    void aReaderPinningTheWalMakesTheWriterTruncateItOnceItIsPastTheHardLimit(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("s.db");
        String url = "jdbc:sqlite:" + db;
        Random rnd = new Random(8);
        int n = 0;
        try (TreeStore s = TreeStore.open(url, SMALL)) {
            SqliteCheckpointer ck = s.checkpointer();
            s.write(batch(rnd, n, 100));
            n += 100;
            // a reader in the middle of a read transaction: its snapshot pins every frame written after it
            Connection reader = DriverManager.getConnection(url);
            reader.setAutoCommit(false);
            try (Statement st = reader.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM hiq_tree")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(100);
            }
            // released by another thread once the WAL has grown past the hard limit: by then the
            // writer's truncation (after that commit) waits for it in SQLite's busy handler
            CompletableFuture<Long> released = CompletableFuture.supplyAsync(() -> {
                await("the pinned WAL to grow past the hard limit").atMost(Duration.ofSeconds(120))
                        .until(() -> ck.walFileBytes() >= SMALL.hardBytes());
                long size = ck.walFileBytes();
                try {
                    reader.commit();
                    reader.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return size;
            });
            while (!released.isDone()) {
                List<StoredTree> batch = batch(rnd, n, 200);
                n += batch.size();
                s.write(batch);
                assertThat(n).as("the WAL grows while pinned (written %d trees)", n).isLessThan(60_000);
            }
            long pinnedSize = released.get();
            assertThat(pinnedSize).as("held by the reader, the WAL grew past the hard limit").isGreaterThanOrEqualTo(SMALL.hardBytes());
            s.write(batch(rnd, n, 10)); // the commit after the release: the writer truncates the WAL
            n += 10;
            assertThat(ck.writerTruncates()).as("the writer truncated the WAL itself").isPositive();
            assertThat(ck.walFileBytes()).as("and the WAL is small again").isLessThan(SMALL.hardBytes());
            assertThat(s.treeCount()).isEqualTo(n);
        }
    }
}
