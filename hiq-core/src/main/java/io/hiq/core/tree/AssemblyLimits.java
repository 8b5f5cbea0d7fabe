package io.hiq.core.tree;

import io.hiq.core.runtime.Settings;
import io.hiq.tree.TreeLimits;
import java.time.Duration;

/**
 * What keeps the {@link TreeAssembler}'s memory and latency bounded whatever a root does
 * (DESIGN A2 revision): at most {@code maxNodes} nodes per tree (calls beyond it fold into counted
 * summaries, the tree is flagged truncated), and a root still open after {@code partialInterval}
 * emits what it has completed as a partial tree (then again every interval).
 *
 * @param maxNodes        {@code HIQ_MAX_NODES}, at least 1 (the root)
 * @param partialInterval {@code HIQ_PARTIAL_INTERVAL} in seconds; zero turns partial trees off
 */
public record AssemblyLimits(int maxNodes, Duration partialInterval) {
    /** Default interval between two partial trees of one long-lived root. */
    public static final Duration DEFAULT_PARTIAL_INTERVAL = Duration.ofSeconds(10);
    /** The defaults: {@link TreeLimits#DEFAULT_MAX_NODES} nodes, a partial tree every 10 s. */
    public static final AssemblyLimits DEFAULTS = new AssemblyLimits(TreeLimits.DEFAULT_MAX_NODES, DEFAULT_PARTIAL_INTERVAL);

    public AssemblyLimits {
        if (maxNodes < 1) throw new IllegalArgumentException("HIQ_MAX_NODES: must be at least 1, got " + maxNodes);
        if (partialInterval == null || partialInterval.isNegative()) {
            throw new IllegalArgumentException("HIQ_PARTIAL_INTERVAL: must be zero (off) or positive seconds, got " + partialInterval);
        }
    }

    /** {@code HIQ_MAX_NODES} and {@code HIQ_PARTIAL_INTERVAL} (seconds, decimals allowed; 0 = off). */
    public static AssemblyLimits fromSettings(Settings s) {
        long max = s.number("HIQ_MAX_NODES", TreeLimits.DEFAULT_MAX_NODES);
        if (max < 1 || max > Integer.MAX_VALUE) throw new IllegalArgumentException("HIQ_MAX_NODES: must be between 1 and " + Integer.MAX_VALUE + ", got " + max);
        String interval = s.get("HIQ_PARTIAL_INTERVAL", null);
        Duration d = DEFAULT_PARTIAL_INTERVAL;
        if (interval != null) {
            double seconds;
            try {
                seconds = Double.parseDouble(interval);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("HIQ_PARTIAL_INTERVAL: not a number of seconds: '" + interval + "'");
            }
            if (!(seconds >= 0) || Double.isInfinite(seconds)) {
                throw new IllegalArgumentException("HIQ_PARTIAL_INTERVAL: must be zero (off) or positive seconds, got '" + interval + "'");
            }
            d = Duration.ofNanos((long) (seconds * 1e9));
        }
        return new AssemblyLimits((int) max, d);
    }

    /** Whether long-lived roots emit partial trees. */
    public boolean partialsEnabled() { return !partialInterval.isZero(); }
}
