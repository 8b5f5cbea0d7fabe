package io.hiq.consumer.store;

import java.util.List;

/** A page of {@link TreeSummary} rows and how many trees match the filter in total. */
public record TreePage(long total, List<TreeSummary> trees) {}
