package io.hiq.core.tree;

import java.util.Locale;

/** Which zero-span nodes (ZSP) a tree keeps (user guide §2.6, DESIGN A3). */
public enum Mode {
    /** The default: leaves whose span is below the metric's threshold and that carry no extra are dropped. */
    CONCISE,
    /** Every node is kept. */
    VERBOSE,
    /** Every node is kept and carries debug fields (thread id, HiQ's per-node overhead). */
    DEBUG;

    /** Computed once: every tree is stamped with it, and {@code toLowerCase} makes a new String each call. */
    private final String label = name().toLowerCase(Locale.ROOT);

    /** Parses {@code concise}, {@code verbose} or {@code debug} (any case). */
    public static Mode parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("mode: unknown value '" + s + "' (concise, verbose or debug)");
        }
    }

    /** The lowercase name used in trees and options. */
    public String label() { return label; }
}
