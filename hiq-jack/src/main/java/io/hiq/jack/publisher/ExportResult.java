package io.hiq.jack.publisher;

import java.util.List;

/**
 * What became of one exported batch: the trees that could not be delivered now and should be
 * retried later ({@link #retry}), and the trees the destination will never accept (too large, bad
 * key), which retrying cannot fix ({@link #rejected}). Everything else was delivered.
 *
 * @param delivered number of trees the destination acknowledged
 * @param retry     trees to keep (spool) and send again later
 * @param rejected  trees the destination refuses for good
 * @param error     the first failure seen, for one diagnostic line; null when none
 */
public record ExportResult(int delivered, List<EncodedTree> retry, List<EncodedTree> rejected, Throwable error) {
    public ExportResult {
        retry = List.copyOf(retry);
        rejected = List.copyOf(rejected);
    }

    /** Everything delivered. */
    public static ExportResult success(int delivered) {
        return new ExportResult(delivered, List.of(), List.of(), null);
    }

    /** Nothing delivered, everything to retry. */
    public static ExportResult failure(List<EncodedTree> batch, Throwable error) {
        return new ExportResult(0, batch, List.of(), error);
    }

    /** True when every tree was delivered. */
    public boolean isSuccess() { return retry.isEmpty() && rejected.isEmpty(); }
}
