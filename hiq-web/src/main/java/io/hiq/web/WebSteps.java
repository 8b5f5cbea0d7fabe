package io.hiq.web;

import io.hiq.core.runtime.HiQRuntime;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The guard around every step HiQ takes in an application's request (open the root, set a header,
 * stamp the latency, close the root…): a step that throws is counted ({@code WebErrors}), reported
 * once on stderr, and the request goes on untraced or partly traced — HiQ never makes the
 * application's request fail.
 *
 * <p>Each step calls {@link #probe(String)} first: a seam through which tests make any one step
 * throw ({@link #faultProbe(Consumer)}), to prove that the guard holds at every step.
 */
public final class WebSteps {
    /** Counter of steps that threw (registered in the running HiQ's counters). */
    public static final String COUNTER = "WebErrors";
    /** Every step name, as passed to {@link #probe(String)}. */
    public static final Set<String> STEPS = Set.of("setup", "path", "endpoints", "open", "extras", "request-id",
            "wrap", "stamp", "finish");

    private static volatile Consumer<String> probe;
    private static final AtomicBoolean REPORTED = new AtomicBoolean();

    private WebSteps() {}

    /**
     * Test seam: {@code p} runs at the start of every step with the step's name and may throw, as
     * that step's own code could; null removes it. Not for production use.
     */
    public static void faultProbe(Consumer<String> p) { probe = p; }

    /** Called first in step {@code step} (by the filter and the plugin). */
    public static void probe(String step) {
        Consumer<String> p = probe;
        if (p != null) p.accept(step);
    }

    /** Records that {@code step} threw {@code t}: counted always, printed once per JVM. */
    public static void failed(String step, Throwable t) {
        try {
            HiQRuntime rt = HiQRuntime.current();
            if (rt != null) rt.counters().counter(COUNTER).incrementAndGet();
            if (REPORTED.compareAndSet(false, true)) {
                System.err.println(io.hiq.core.redact.SafeText.line("hiq: warning: hiq-web step '" + step
                        + "' failed (" + t + "); the request goes on untraced. Further failures are counted in "
                        + COUNTER + " only."));
            }
        } catch (Throwable ignored) {
            // even reporting must not reach the request
        }
    }
}
