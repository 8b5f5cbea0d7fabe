package io.hiq.lmk.output;

import io.hiq.lmk.LmkOptions;
import java.io.PrintStream;

/**
 * Chooses where LMK lines go (docs/FORMATS.md §3.4), first match wins:
 * <ol>
 *   <li>{@code HIQ_LMK_CONFIG} set: a private logback context configured from that logback.xml;</li>
 *   <li>driver mode only: the application's own SLF4J binding, when its configuration routes
 *       logger {@code hiq.lmk} at INFO (a user's logback.xml, or any other binding); logback's
 *       built-in default console configuration does not count as a configuration; re-checked
 *       at most once a second, so a configuration applied later is followed
 *       ({@link ApplicationLoggingSink});</li>
 *   <li>{@code LMK_PATH} set: that file, appended to;</li>
 *   <li>stderr, the line alone (never the application's stdout).</li>
 * </ol>
 * In agent mode ({@code HIQ_AGENT=1}) step 2 is skipped: LMK runs in the agent's isolated class
 * loader and never touches the application's logging.
 */
public final class Outputs {
    private Outputs() {}

    /** The sink for these options; never null, never throws (problems are reported on {@code err}). */
    public static LineSink select(LmkOptions o, PrintStream err) {
        if (o.config() != null) {
            try {
                LineSink s = LogbackSupport.privateContext(o.config(), err);
                if (s != null) return s;
            } catch (LinkageError e) {
                err.println("hiq: lmk: HIQ_LMK_CONFIG needs logback-classic on the class path (" + e
                        + "); using the default LMK output");
            }
        }
        if (!o.agent()) {
            LineSink s = ApplicationLoggingSink.create(o.path(), err);
            if (s != null) return s;
        }
        return o.path() != null ? StreamLineSink.file(o.path(), err) : StreamLineSink.stdout(err);
    }
}
