package io.hiq.bench.lmk;

/**
 * The traced target of the LMK benchmarks: {@code outer} calls {@code inner} twice, three traced
 * calls (six LMK lines) per operation. {@link Untraced} is the same code, never instrumented.
 */
public final class io.hiq.bench.Workload {
    private int state;

    public int outer(int x) {
        return inner(x) + inner(x + 1);
    }

    public int inner(int x) {
        state = state * 31 + x; // a little real work that the JIT cannot remove
        return state;
    }

    /** The same code, never traced. */
    public static final class Untraced {
        private int state;

        public int outer(int x) {
            return inner(x) + inner(x + 1);
        }

        public int inner(int x) {
            state = state * 31 + x;
            return state;
        }
    }
}
