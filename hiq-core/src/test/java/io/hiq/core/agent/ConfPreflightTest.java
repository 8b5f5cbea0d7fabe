package io.hiq.core.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.core.conf.ConfParser;
import io.hiq.core.conf.HiQConf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Conf warnings before the application runs, in line order, naming file, line and what is wrong (issue 14). */
class ConfPreflightTest {
    @TempDir Path dir;

    /** A class on the test class path that the check reads but never loads for this purpose. */
    public static class Shop {
        public int price(int i) { return i; }
        public int price(String s) { return s.length(); }
        public void pay() {}
    }

    private HiQConf conf(String text) throws Exception {
        Path file = dir.resolve("shop.conf");
        Files.writeString(file, text);
        return ConfParser.parse(file);
    }

    @Test
    void missingMethodsAreReportedInLineOrderWithFileAndLineAndMissingClassesAreOnlyNoted() throws Exception {
        HiQConf conf = conf("""
                io.hiq.core.agent, ConfPreflightTest$Shop, refund, refund
                io.hiq.core.agent, ConfPreflightTest$Shop, price, price
                io.hiq.core.agent, NoSuchShop, price, price2
                # a comment line counts in the line numbers
                io.hiq.core.agent, ConfPreflightTest$Shop, price(long), price3
                io.hiq.core.agent, ConfPreflightTest$Shop, *, all
                io.hiq.core.agent, ConfPreflightTest$Shop, price(String), price4
                io.hiq.core.agent, AlsoMissing, pay, pay
                """);
        ConfPreflight.Findings f = ConfPreflight.check(conf, getClass().getClassLoader(), Set.of());
        String file = dir.resolve("shop.conf").toString();
        assertThat(f.warnings()).containsExactly(
                "hiq: warning: " + file + ":1: method 'refund' not found in class 'io.hiq.core.agent.ConfPreflightTest$Shop'; not traced",
                "hiq: warning: " + file + ":5: method 'price(long)' not found in class 'io.hiq.core.agent.ConfPreflightTest$Shop'; not traced");
        // a plugin's or a server's loader may still load them: only the warning at exit, if they never load, says so
        assertThat(f.notOnClassPath()).extracting(e -> e.line()).containsExactlyInAnyOrder(3, 8);
        assertThat(f.missingMethod()).extracting(e -> e.line()).containsExactlyInAnyOrder(1, 5);
    }

    @Test
    void alreadyLoadedClassesAreLeftToTheInstrumentation() throws Exception {
        HiQConf conf = conf("io.hiq.core.agent, ConfPreflightTest$Shop, refund, refund\n");
        assertThat(ConfPreflight.check(conf, getClass().getClassLoader(), Set.of(Shop.class.getName())).warnings()).isEmpty();
    }

    @Test
    void theCheckDoesNotLoadTheClassesItReads() throws Exception {
        HiQConf conf = conf("io.hiq.core.agent, ConfPreflightTest$NeverLoaded, run, run\nio.hiq.core.agent, ConfPreflightTest$NeverLoaded, nope, nope\n");
        RecordingLoader loader = new RecordingLoader(getClass().getClassLoader());
        assertThat(ConfPreflight.check(conf, loader, Set.of()).warnings()).hasSize(1).first().asString().contains(":2: method 'nope'");
        assertThat(loader.loaded).doesNotContain(ConfPreflightTest.class.getName() + "$NeverLoaded");
    }

    /** Never loaded by the test: the check must read its class file without loading it. */
    static class NeverLoaded {
        void run() {}
    }

    /** Records the names it is asked to load. */
    static final class RecordingLoader extends ClassLoader {
        final java.util.List<String> loaded = new java.util.concurrent.CopyOnWriteArrayList<>();

        RecordingLoader(ClassLoader parent) { super(parent); }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            loaded.add(name);
            return super.loadClass(name, resolve);
        }
    }
}
