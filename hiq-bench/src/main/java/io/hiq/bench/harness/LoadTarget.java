package io.hiq.bench.harness;

/**
 * The harness's traced target: {@code outer} calls {@code inner} twice (three traced calls per
 * operation), each doing a little real work, the shape of the OpenTelemetry comparison.
 */
public final class LoadTarget {
    private long state = 17;

    public long outer(long x) {
        return inner(x) ^ inner(x + 1);
    }

    public long inner(long x) {
        long s = state;
        for (int i = 0; i < 16; i++) s = s * 6364136223846793005L + x + i; // ~20 ns of work the JIT keeps
        state = s;
        return s;
    }
}
