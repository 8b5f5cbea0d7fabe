package io.hiq.agent;

import io.hiq.core.agent.AgentMain;
import io.hiq.core.runtime.Settings;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code Premain-Class} of {@code hiq-agent.jar}: starts core and, when one of them is asked for
 * ({@code LMK}, {@code JACK}, {@code TRACE_TYPE}, {@code HIQ_OTLP_ENDPOINT}), the extensions in
 * their own isolated class loader ({@link ExtensionClassLoader}: the libraries stored in this jar
 * plus the optional extension jars of the extension directory). Plain tracing loads no extension
 * code at all, which keeps the agent's start-up cost low.
 */
public final class HiQAgent {
    private HiQAgent() {}

    public static void premain(String args, Instrumentation inst) {
        io.hiq.core.agent.StartupTrace.mark("premain entered");
        List<ClassLoader> loaders = new ArrayList<>();
        Settings settings = Settings.system();
        if (wantsExtensions(settings)) {
            Path extDir = extensionDirectory(settings);
            ClassLoader ext = ExtensionClassLoader.fromAgentJar(HiQAgent.class, extDir, System.err);
            if (ext != null) loaders.add(ext);
            OptionalExtensions.reportMissing(settings, ext, extDir, System.err);
        }
        io.hiq.core.agent.StartupTrace.mark("extension class loader");
        AgentMain.start(args, inst, loaders, System.err);
    }

    public static void agentmain(String args, Instrumentation inst) {
        premain(args, inst);
    }

    /** {@code HIQ_EXT_DIR}, else {@code ext/} beside the agent jar. */
    static Path extensionDirectory(Settings s) {
        String dir = s.get("HIQ_EXT_DIR", "");
        if (!dir.isBlank()) return Path.of(dir.trim()).toAbsolutePath();
        try {
            Path jar = Path.of(HiQAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.toAbsolutePath().getParent().resolve("ext");
        } catch (Exception e) {
            return Path.of("ext").toAbsolutePath();
        }
    }

    static boolean wantsExtensions(Settings s) {
        return s.flag("LMK") || s.flag("JACK") || s.get("TRACE_TYPE") != null || s.get("HIQ_OTLP_ENDPOINT") != null;
    }
}
