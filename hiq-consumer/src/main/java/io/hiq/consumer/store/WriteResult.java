package io.hiq.consumer.store;

/** Outcome of writing one batch: trees stored for the first time, and trees already stored. */
public record WriteResult(int inserted, int duplicates) {}
