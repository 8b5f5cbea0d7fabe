package io.hiq.consumer.store;

/**
 * Outcome of writing one batch.
 *
 * @param inserted    trees stored for the first time
 * @param redelivered trees whose id was already stored (or repeated in the batch) with the same bytes:
 *                    a redelivery, which changes nothing
 * @param conflicts   trees whose id was already stored (or repeated in the batch) with different
 *                    bytes: a content conflict; the first stored version is kept, this one ignored
 */
public record WriteResult(int inserted, int redelivered, int conflicts) {
    /** A result without conflicts. */
    public WriteResult(int inserted, int duplicates) { this(inserted, duplicates, 0); }

    /** Trees not stored because their id was: redeliveries and conflicts. */
    public int duplicates() { return redelivered + conflicts; }
}
