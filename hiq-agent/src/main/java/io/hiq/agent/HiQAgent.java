package io.hiq.agent;

import io.hiq.core.agent.AgentMain;
import io.hiq.core.runtime.Settings;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code Premain-Class} of {@code hiq-agent.jar}: starts core and, when one of them is asked for
 * ({@code LMK}, {@code JACK}, {@code TRACE_TYPE}, {@code HIQ_OTLP_ENDPOINT}), the extensions in
 * their own isolated class loader. Plain tracing loads no extension code at all, which keeps the
 * agent's start-up cost low.
 */
public final class HiQAgent {
    private HiQAgent() {}

    public static void premain(String args, Instrumentation inst) {
        List<ClassLoader> loaders = new ArrayList<>();
        Settings settings = Settings.system();
        if (wantsExtensions(settings)) {
            ClassLoader ext = ExtensionClassLoader.fromAgentJar(HiQAgent.class, settings.home(), System.err);
            if (ext != null) loaders.add(ext);
        }
        AgentMain.start(args, inst, loaders, System.err);
    }

    public static void agentmain(String args, Instrumentation inst) {
        premain(args, inst);
    }

    static boolean wantsExtensions(Settings s) {
        return s.flag("LMK") || s.flag("JACK") || s.get("TRACE_TYPE") != null || s.get("HIQ_OTLP_ENDPOINT") != null;
    }
}
