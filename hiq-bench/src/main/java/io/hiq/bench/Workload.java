package io.hiq.bench;

/**
 * The measured target: {@code outer} calls {@code inner} twice, three calls per operation, the shape
 * used for the OpenTelemetry comparison in docs/PERFORMANCE.md. {@link Untraced} is the same code in
 * a class HiQ never instruments, measured side by side in the same JVM.
 */
public final class Workload {
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
