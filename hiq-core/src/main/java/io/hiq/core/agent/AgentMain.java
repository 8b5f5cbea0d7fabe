package io.hiq.core.agent;

import io.hiq.core.conf.ConfParser;
import io.hiq.core.conf.HiQConf;
import io.hiq.core.runtime.HiQRuntime;
import io.hiq.core.runtime.RuntimeOptions;
import io.hiq.core.runtime.Settings;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code -javaagent} entry: {@code -javaagent:hiq-agent.jar=conf=PATH[,mode=…][,metrics=…][,trees=FILE][,show=true]}
 * (DESIGN B2). Every problem is one clear line on stderr and leaves the application running
 * untraced; the agent never throws into the JVM's start-up.
 */
public final class AgentMain {
    private static final Map<String, String> ARG_TO_VARIABLE = Map.of(
            "conf", "HIQ_CONF", "mode", "HIQ_MODE", "metrics", "HIQ_METRICS", "trees", "HIQ_TREES_FILE",
            "show", "HIQ_SHOW", "service", "HIQ_SERVICE");

    private AgentMain() {}

    /** Agent entry at JVM start. */
    public static void premain(String args, Instrumentation inst) {
        start(args, inst, List.of(AgentMain.class.getClassLoader()), System.err);
    }

    /** Agent entry when attached to a running JVM. */
    public static void agentmain(String args, Instrumentation inst) {
        premain(args, inst);
    }

    /**
     * Starts HiQ for an agent argument string.
     *
     * @return the runtime, or empty when the conf or an option is broken (reported on {@code err})
     */
    public static Optional<HiQRuntime> start(String args, Instrumentation inst, List<ClassLoader> extensionLoaders, PrintStream err) {
        try {
            Map<String, String> overrides = parseArgs(args);
            overrides.put("HIQ_AGENT", "1"); // tells extensions they run isolated inside the agent
            Settings settings = Settings.system().with(overrides);
            String confPath = settings.get("HIQ_CONF", null);
            if (confPath == null) {
                err.println(io.hiq.core.redact.SafeText.line("hiq: no conf given (agent argument conf=PATH or HIQ_CONF); the application runs untraced"));
                return Optional.empty();
            }
            Optional<HiQConf> conf = ConfParser.parseOrReport(Path.of(confPath), err);
            if (conf.isEmpty()) return Optional.empty();
            RuntimeOptions options = RuntimeOptions.fromSettings(settings);
            StartupTrace.mark("conf and options");
            HiQRuntime runtime = HiQRuntime.start(inst, conf.get(), options, settings, extensionLoaders, err);
            Thread hook = new Thread(() -> {
                runtime.close(false);
                runtime.warnUnmatched();
            }, "hiq-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            StartupTrace.mark("shutdown hook, premain done");
            return Optional.of(runtime);
        } catch (IllegalArgumentException e) {
            err.println(io.hiq.core.redact.SafeText.line("hiq: " + e.getMessage() + "; the application runs untraced"));
        } catch (Throwable t) {
            err.println(io.hiq.core.redact.SafeText.line("hiq: could not start (" + t + "); the application runs untraced"));
        }
        return Optional.empty();
    }

    /** Parses {@code key=value,key=value} into B5 variables; unknown keys are an error. */
    static Map<String, String> parseArgs(String args) {
        Map<String, String> out = new HashMap<>();
        if (args == null || args.isBlank()) return out;
        for (String part : args.split(",")) {
            if (part.isBlank()) continue;
            int eq = part.indexOf('=');
            String key = (eq < 0 ? part : part.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "true" : part.substring(eq + 1).trim();
            String variable = ARG_TO_VARIABLE.get(key);
            if (variable == null) {
                throw new IllegalArgumentException("agent argument '" + key + "' is unknown (conf, mode, metrics, trees, show, service)");
            }
            if (key.equals("show")) value = Boolean.parseBoolean(value) || value.equals("1") ? "1" : "0";
            out.put(variable, value);
        }
        return out;
    }
}
