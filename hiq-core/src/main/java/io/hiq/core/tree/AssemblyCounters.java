package io.hiq.core.tree;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The counters a {@link TreeAssembler} updates, shown by the {@code hiq:type=HiQ} MBean (DESIGN B7).
 *
 * @param published records received ({@code Published})
 * @param trees     trees completed, partial trees excluded ({@code Trees})
 * @param broken    trees flagged broken: an EXIT that did not match, a thread that died mid-root ({@code BrokenTrees})
 * @param truncated trees (partial ones included) flagged truncated by the node cap ({@code TruncatedTrees})
 * @param partial   partial trees emitted for long-lived roots ({@code PartialTrees})
 */
public record AssemblyCounters(AtomicLong published, AtomicLong trees, AtomicLong broken, AtomicLong truncated,
                               AtomicLong partial) {}
