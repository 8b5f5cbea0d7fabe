package io.hiq.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A program that is not part of this repository: Java sources written to a temporary directory,
 * compiled there, and run in a separate JVM, with or without the agent.
 */
final class ExternalProgram {
    final Path dir;

    ExternalProgram(Path dir) { this.dir = dir; }

    /** Writes and compiles {@code sources} (file name → text) into {@code dir/out}. */
    ExternalProgram compile(Map<String, String> sources) throws IOException { return compile(sources, null); }

    /** Like {@link #compile(Map)}, against {@code classPath} (null: none). */
    ExternalProgram compile(Map<String, String> sources, String classPath) throws IOException {
        Path src = dir.resolve("src");
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "--release", "17", "-g"));
        if (classPath != null) args.addAll(List.of("-cp", classPath));
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path f = src.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue(), StandardCharsets.UTF_8);
            args.add(f.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, args.toArray(new String[0]));
        if (rc != 0) throw new IllegalStateException("javac failed: " + rc);
        return this;
    }

    Path classes() { return dir.resolve("out"); }

    /** The result of one run. */
    record Result(int exitCode, String stdout, String stderr) {}

    /** Runs a command with extra environment variables, waiting at most 60 s. */
    static Result run(List<String> command, Map<String, String> env, Path workDir) throws Exception {
        return run(command, env, workDir, 60);
    }

    /** Runs a command with extra environment variables, waiting at most {@code seconds}. */
    static Result run(List<String> command, Map<String, String> env, Path workDir, int seconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("HIQ_") || k.equals("LMK") || k.equals("JACK") || k.equals("TRACE_TYPE"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile(workDir, "stdout", ".txt");
        Path err = Files.createTempFile(workDir, "stderr", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out after " + seconds + " s: " + command + "; stderr so far: "
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
