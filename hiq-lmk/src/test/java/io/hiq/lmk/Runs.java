package io.hiq.lmk;

import io.hiq.HiQ;
import io.hiq.core.runtime.Settings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Starting a driver-mode HiQ with LMK for the tests. */
final class Runs {
    private Runs() {}

    static final List<List<String>> GUIDE = List.of(
            List.of("io.hiq.lmk.testapp", "Guide", "main", "main"),
            List.of("io.hiq.lmk.testapp", "Guide", "func1", "func1"),
            List.of("io.hiq.lmk.testapp", "Guide", "func2", "func2"),
            List.of("io.hiq.lmk.testapp", "Guide", "call", "call"),
            List.of("io.hiq.lmk.testapp", "Guide", "failing", "failing"),
            List.of("io.hiq.lmk.testapp", "Guide", "catching", "__catching"),
            List.of("io.hiq.lmk.testapp", "Guide", "allocate", "allocate"));

    /** A HiQ tracing {@link #GUIDE} with {@code LMK=1} and the given settings. */
    static HiQ start(Path home, Map<String, String> settings) {
        return builder(home, settings).start();
    }

    /** The builder of {@link #start}, for more options. */
    static HiQ.Builder builder(Path home, Map<String, String> settings) {
        Map<String, String> s = new HashMap<>(settings);
        s.put("LMK", "1");
        s.put("HIQ_HOME", home.toString());
        return HiQ.builder().conf(GUIDE).settings(Settings.of(s)).service("lmk-test").maxTrees(16);
    }
}
