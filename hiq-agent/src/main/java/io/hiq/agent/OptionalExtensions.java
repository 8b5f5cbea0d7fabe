package io.hiq.agent;

import io.hiq.core.runtime.Settings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/**
 * The extension jars that are not part of the core agent jar, and the settings that need them: when
 * a setting asks for one that is not in the extension directory, one line on stderr names the jar
 * and where it is looked for; the application and the rest of HiQ run on.
 */
final class OptionalExtensions {
    /** One optional jar: its file name, the setting that needs it, and a class only it provides. */
    record Jar(String file, String setting, String what, String probeClass, Predicate<Settings> needed) {}

    static final List<Jar> JARS = List.of(
            new Jar("hiq-ext-oci.jar", "HIQ_OCI_STREAMING=1", "Jack keeps its trees in the jack log and the spool",
                    "com.oracle.bmc.streaming.StreamClient",
                    s -> s.flag("JACK") && s.flag("HIQ_OCI_STREAMING")),
            new Jar("hiq-ext-otlp.jar", "HIQ_OTLP_ENDPOINT", "OTLP export is off",
                    "io.hiq.export.otel.OtlpExtension",
                    s -> !s.get("HIQ_OTLP_ENDPOINT", "").isBlank()),
            new Jar("hiq-ext-prometheus.jar", "TRACE_TYPE=prometheus", "the Prometheus endpoint is off",
                    "io.hiq.export.prometheus.PrometheusExtension",
                    s -> "prometheus".equalsIgnoreCase(s.get("TRACE_TYPE", "").trim())));

    private OptionalExtensions() {}

    /** Prints one line for every jar a setting needs that {@code loader} cannot see; returns how many. */
    static int reportMissing(Settings settings, ClassLoader loader, Path extDir, PrintStream err) {
        int missing = 0;
        for (Jar j : JARS) {
            if (!j.needed().test(settings)) continue;
            if (loader != null && loader.getResource(j.probeClass().replace('.', '/') + ".class") != null) continue;
            err.println("hiq: " + j.setting() + " needs the extension jar " + j.file() + ", which is not in "
                    + extDir + " (copy it there, or set HIQ_EXT_DIR to its directory); " + j.what());
            missing++;
        }
        return missing;
    }
}
