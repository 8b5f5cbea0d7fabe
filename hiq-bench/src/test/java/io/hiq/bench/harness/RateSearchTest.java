package io.hiq.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RateSearchTest {
    @Test
    void findsTheThresholdWithinPrecision() {
        RateSearch.Result r = RateSearch.search(rate -> rate <= 737_000, 10_000, 100_000_000, 0.05, 30);
        assertTrue(r.sustainedRate() <= 737_000, "never reports a rate that dropped: " + r);
        assertTrue(r.sustainedRate() >= 737_000 / 1.05, "within 5 % of the threshold: " + r);
        assertFalse(r.reachedMax());
        r.probes().forEach(p -> assertEquals(p.rate() <= 737_000, p.clean(), "probe recorded as run: " + p));
    }

    @Test
    void stopsAtTheMaximumWhenNothingDrops() {
        RateSearch.Result r = RateSearch.search(rate -> true, 1_000, 5_000, 0.1, 30);
        assertEquals(5_000, r.sustainedRate());
        assertTrue(r.reachedMax());
        assertEquals(4, r.probes().size(), "1000, 2000, 4000, 5000: " + r.probes());
    }

    @Test
    void searchesBelowTheStartWhenTheStartDrops() {
        RateSearch.Result r = RateSearch.search(rate -> rate <= 300, 10_000, 1_000_000, 0.1, 30);
        assertTrue(r.sustainedRate() > 0 && r.sustainedRate() <= 300, "" + r);
        assertTrue(r.sustainedRate() >= 300 / 1.1, "" + r);
    }

    @Test
    void reportsZeroWhenEveryRateDrops() {
        RateSearch.Result r = RateSearch.search(rate -> false, 1_000, 1_000_000, 0.1, 30);
        assertEquals(0, r.sustainedRate());
    }

    @Test
    void respectsTheProbeBudget() {
        int[] runs = {0};
        RateSearch.Result r = RateSearch.search(rate -> ++runs[0] > 0 && rate < 123_456, 1, 1L << 40, 0.0001, 6);
        assertEquals(6, runs[0]);
        assertEquals(6, r.probes().size());
        assertTrue(r.sustainedRate() < 123_456);
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> RateSearch.search(r -> true, 0, 10, 0.1, 5));
        assertThrows(IllegalArgumentException.class, () -> RateSearch.search(r -> true, 20, 10, 0.1, 5));
        assertThrows(IllegalArgumentException.class, () -> RateSearch.search(r -> true, 1, 10, 0.1, 0));
    }
}
