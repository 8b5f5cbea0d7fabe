package io.hiq.lmk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The drop warning's rate limit, with a clock the test advances. */
class DropWarnerTest {
    private final AtomicLong records = new AtomicLong(), trees = new AtomicLong(), clock = new AtomicLong(1_000);
    private final DropWarner warner = new DropWarner(records::get, trees::get, clock::get);

    @Test
    void warnsOnlyWhenSomethingWasDroppedAndAtMostOncePerSecond() {
        assertThat(warner.poll(false)).isNull(); // nothing dropped
        records.set(10);
        trees.set(2);
        assertThat(warner.poll(false)).isEqualTo(new DropWarner.Warning(10, 2, 10));
        records.set(15);
        clock.addAndGet(999_999_999L);
        assertThat(warner.poll(false)).isNull(); // within the second: held back
        records.set(17);
        trees.set(3);
        clock.addAndGet(1L);
        assertThat(warner.poll(false)).isEqualTo(new DropWarner.Warning(7, 1, 17)); // counts since the last warning
        clock.addAndGet(5_000_000_000L);
        assertThat(warner.poll(false)).isNull(); // nothing new
    }

    @Test
    void theFinalFlushReportsWhatIsLeftAtOnce() {
        records.set(3);
        assertThat(warner.poll(false)).isNotNull();
        records.set(4);
        assertThat(warner.poll(false)).isNull();
        assertThat(warner.poll(true)).isEqualTo(new DropWarner.Warning(1, 0, 4));
        assertThat(warner.poll(true)).isNull();
    }
}
