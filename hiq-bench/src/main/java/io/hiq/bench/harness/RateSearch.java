package io.hiq.bench.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Finds the highest call rate a configuration sustains with zero dropped records: doubles the rate
 * from {@code start} until a probe drops (or {@code max} is reached), then bisects between the last
 * clean rate and the first dropping one until they are within {@code precision} of each other. A
 * probe is one run of the workload at a fixed rate; it is expensive (one JVM), hence the budget.
 * Kept apart from {@link BenchMain} so that the search itself is tested without JVMs.
 */
public final class RateSearch {
    /** One probe: the rate tried (calls/s) and whether it ran clean (no drops). */
    public record Probe(long rate, boolean clean) {}

    /** The outcome: the highest clean rate (0 when even {@code start} dropped), whether {@code max} was reached, the probes. */
    public record Result(long sustainedRate, boolean reachedMax, List<Probe> probes) {}

    private RateSearch() {}

    /**
     * @param clean     runs the workload at the given calls/s and answers whether nothing was dropped
     * @param start     first rate tried (> 0)
     * @param max       the rate not to go beyond (the workload's unpaced rate, say)
     * @param precision relative width at which bisection stops, e.g. 0.1 for 10 %
     * @param budget    the most probes run
     */
    public static Result search(LongPredicate clean, long start, long max, double precision, int budget) {
        if (start <= 0 || max < start || precision <= 0 || budget < 1) {
            throw new IllegalArgumentException("start=" + start + " max=" + max + " precision=" + precision + " budget=" + budget);
        }
        List<Probe> probes = new ArrayList<>();
        long good = 0, bad = -1, rate = start;
        while (probes.size() < budget) { // doubling phase: find a dropping rate
            boolean ok = clean.test(rate);
            probes.add(new Probe(rate, ok));
            if (!ok) {
                bad = rate;
                break;
            }
            good = rate;
            if (rate == max) return new Result(good, true, List.copyOf(probes));
            rate = Math.min(max, rate * 2);
        }
        if (bad < 0) return new Result(good, false, List.copyOf(probes)); // budget spent while still clean
        if (good == 0) { // even the start rate dropped: halve downwards to find any clean rate
            long lo = start;
            while (probes.size() < budget && lo > 1) {
                lo /= 2;
                boolean ok = clean.test(lo);
                probes.add(new Probe(lo, ok));
                if (ok) {
                    good = lo;
                    break;
                }
                bad = lo;
            }
            if (good == 0) return new Result(0, false, List.copyOf(probes));
        }
        while (probes.size() < budget && (bad - good) > precision * good) {
            long mid = good + (bad - good) / 2;
            boolean ok = clean.test(mid);
            probes.add(new Probe(mid, ok));
            if (ok) good = mid;
            else bad = mid;
        }
        return new Result(good, false, List.copyOf(probes));
    }
}
