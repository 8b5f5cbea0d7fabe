package io.hiq.consumer.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed with SIGKILL while its background checkpointer copies the WAL loses no committed
 * tree: a separate JVM ({@link Writer}) writes batches with tiny checkpoint limits (a checkpoint
 * after every commit, WAL restarts), reports each commit, and is killed once checkpoints are under
 * way; the file, opened again, holds every reported tree with its exact bytes and passes SQLite's
 * integrity check.
 */
class CheckpointKillTest {
    private static final int BATCH = 50;
    /** Trees are rebuilt from this seed by both sides. */
    private static final long SEED = 31;
    private static final long NOW_US = 1_700_000_000_000_000L;

    /** The killed process: writes batches forever, printing "committed N passive P truncates T" after each. */
    public static final class Writer {
        public static void main(String[] args) throws Exception {
            // a checkpoint after every commit, the writer truncating the WAL past 1 MiB (every few batches)
            SqliteCheckpointer.Limits everyCommit = new SqliteCheckpointer.Limits(1, 10, 1 << 20);
            Random rnd = new Random(SEED);
            try (TreeStore s = TreeStore.open(args[0], everyCommit)) {
                for (int n = 0; ; n += BATCH) {
                    s.write(SqliteCheckpointerTest.batch(rnd, n, BATCH, NOW_US));
                    System.out.println("committed " + (n + BATCH) + " passive " + s.checkpointer().passiveCheckpoints()
                            + " truncates " + s.checkpointer().writerTruncates());
                    System.out.flush();
                }
            }
        }
    }

    @Test
    void killedWhileCheckpointingLosesNoCommittedTree(@TempDir Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("s.db");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Writer.class.getName(), url)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int committed = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (!line.startsWith("committed ")) continue; // the store's log
                String[] w = line.split(" ");
                committed = Integer.parseInt(w[1]);
                // killed once both kinds of checkpoint have run a while: the next ones are under way
                if (Long.parseLong(w[3]) >= 20 && Long.parseLong(w[5]) >= 2) break;
                assertThat(committed).as("checkpoints under way (last line: %s)", line).isLessThan(200_000);
            }
            p.destroyForcibly(); // SIGKILL: no close, no last checkpoint
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).isEqualTo(137);
        assertThat(committed).isPositive();

        Random rnd = new Random(SEED);
        try (TreeStore s = TreeStore.open(url)) {
            // every commit read from its output, and those it made after (still in the pipe, or not
            // reported yet), each batch whole
            long count = s.treeCount();
            assertThat(count).isGreaterThanOrEqualTo(committed);
            assertThat(count % BATCH).as("batches are stored whole").isZero();
            for (int n = 0; n < count; n += BATCH) {
                List<StoredTree> batch = SqliteCheckpointerTest.batch(rnd, n, BATCH, NOW_US);
                for (StoredTree t : batch) assertThat(s.treeJson(t.facts().id())).isEqualTo(t.json());
            }
        }
        try (Connection c = SqliteFiles.open(url, false); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("ok");
        }
    }
}
