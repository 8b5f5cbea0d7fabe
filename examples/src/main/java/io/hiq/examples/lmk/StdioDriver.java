package io.hiq.examples.lmk;

import io.hiq.HiQ;

/**
 * The guide's §4.2.1 "Log Metrics and Information to stdio": with LMK on and no logging
 * configuration, every traced call prints a 🐵 line when it starts and a 🙈 line when it ends.
 *
 * <p>Run: {@code bin/hiq example io.hiq.examples.lmk.StdioDriver} (or with {@code LMK=1} in the
 * environment instead of the property set here).
 */
public final class StdioDriver {
    private StdioDriver() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("hiq.lmk", "1");          // the guide's os.environ["LMK"] = "1"
        try (HiQ hiq = HiQ.latency(Confs.conf(args))) {
            Main.main(args);
        }                                            // close() flushes the LMK lines
    }
}
