package io.hiq.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A full registry hands out one fixed overflow tag and counts, instead of throwing. */
class TagRegistryOverflowTest {
    @Test
    void fullRegistryFallsBackToTheOverflowTagAndCounts() {
        TagRegistry r = new TagRegistry(4);
        Tag a = r.register("a", null, null);
        Tag b = r.register("b", null, null);
        Tag c = r.register("c", null, null);
        assertThat(c.name()).isEqualTo(TagRegistry.OVERFLOW);
        assertThat(c.id()).isEqualTo(3);
        for (int i = 0; i < 1000; i++) assertThat(r.register("new" + i, null, null)).isSameAs(c);
        assertThat(r.overflowed()).isEqualTo(1001);
        assertThat(r.size()).isEqualTo(3);
        // names registered before the registry filled keep their ids
        assertThat(r.register("a", null, null)).isSameAs(a);
        assertThat(r.get(b.id())).isSameAs(b);
        assertThat(r.name(3)).isEqualTo(TagRegistry.OVERFLOW);
    }

    @Test
    void theDefaultRegistryGrowsItsIdTableToTheOverflowId() {
        TagRegistry r = new TagRegistry(1000);
        for (int i = 0; i < 1200; i++) r.register("t" + i, null, null);
        assertThat(r.byName(TagRegistry.OVERFLOW).id()).isEqualTo(999);
        assertThat(r.get(999).name()).isEqualTo(TagRegistry.OVERFLOW);
    }
}
