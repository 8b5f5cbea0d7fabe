package io.hiq.consumer.ingest;

import io.hiq.consumer.store.StoreErrors;
import io.hiq.consumer.store.StoredTree;
import io.hiq.consumer.store.TreeStore;
import io.hiq.consumer.store.WriteResult;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a batch so that one record the store refuses cannot hold up the others: when the store
 * answers a write with an error caused by the values of a record ({@link StoreErrors#isRecordError},
 * e.g. SQLSTATE 22021), the batch is split in halves and each written on its own, down to the single
 * refused record, which is returned (to be dead-lettered) instead of stored. Any other error (lost
 * connection, server restart …) is thrown: the caller retries the whole batch later, nothing skipped.
 * The refusal is logged once per record, with its id and the error's first characters only — never
 * the tree.
 */
public final class BatchWriter {
    private static final Logger LOG = LoggerFactory.getLogger(BatchWriter.class);

    /** A record the store refused: its index in the batch and why. */
    public record Refused(int index, String reason) {}

    /** What a batch write did: the store's counts over every part, and the refused records. */
    public record Outcome(WriteResult result, List<Refused> refused) {}

    private final TreeStore store;

    public BatchWriter(TreeStore store) { this.store = store; }

    /** Writes {@code trees}, splitting around refused records; throws on errors that are not a record's fault. */
    public Outcome write(List<StoredTree> trees) throws SQLException {
        List<Refused> refused = new ArrayList<>();
        int[] sums = new int[3];
        write(trees, 0, trees.size(), sums, refused);
        return new Outcome(new WriteResult(sums[0], sums[1], sums[2]), refused);
    }

    private void write(List<StoredTree> trees, int from, int to, int[] sums, List<Refused> refused) throws SQLException {
        if (from >= to) return;
        try {
            WriteResult r = store.write(trees.subList(from, to));
            sums[0] += r.inserted();
            sums[1] += r.redelivered();
            sums[2] += r.conflicts();
        } catch (SQLException e) {
            if (!StoreErrors.isRecordError(e)) throw e;
            if (to - from == 1) {
                String reason = "store refused the tree: " + StoreErrors.describe(e);
                LOG.warn("consumer: store refused tree id {} ({}); dead-lettered", shortId(trees.get(from)), StoreErrors.describe(e));
                refused.add(new Refused(from, reason));
                return;
            }
            int mid = (from + to) >>> 1;
            write(trees, from, mid, sums, refused);
            write(trees, mid, to, sums, refused);
        }
    }

    private static String shortId(StoredTree t) {
        String id = t.facts().id().replace('\0', '?');
        return id.length() > 64 ? id.substring(0, 64) + "…" : id;
    }
}
