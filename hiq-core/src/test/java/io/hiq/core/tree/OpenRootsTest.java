package io.hiq.core.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The primitive-keyed map of open roots behaves as a HashMap under random puts, gets and removes. */
class OpenRootsTest {
    @Test
    void agreesWithAHashMapUnderRandomOperations() {
        SplittableRandom r = new SplittableRandom(3);
        OpenRoots m = new OpenRoots();
        Map<Long, OpenRoot> ref = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            // few distinct keys, clustered and spread, so probe runs and wrap-around are exercised
            long key = r.nextBoolean() ? r.nextInt(64) : r.nextLong(1L << 40);
            if (i % 50_000 < 3) key = -key - 1;
            switch (r.nextInt(3)) {
                case 0 -> {
                    OpenRoot o = new OpenRoot();
                    m.put(key, o);
                    ref.put(key, o);
                }
                case 1 -> assertThat(m.remove(key)).isSameAs(ref.remove(key));
                default -> assertThat(m.get(key)).isSameAs(ref.get(key));
            }
            assertThat(m.size()).isEqualTo(ref.size());
        }
        for (Map.Entry<Long, OpenRoot> e : ref.entrySet()) assertThat(m.get(e.getKey())).isSameAs(e.getValue());
        int seen = 0;
        for (int k = 0; k < m.slots(); k++) if (m.at(k) != null) seen++;
        assertThat(seen).isEqualTo(ref.size());
    }
}
