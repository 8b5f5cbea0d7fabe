package io.hiq.jack.chaos;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The child JVMs of a chaos test (a broker, a traced application, a feeder): each runs a main class
 * of this test's class path with HiQ's own variables cleared from the inherited environment, writes
 * {@code NAME.out}/{@code NAME.err} in the test's directory, and is killed by {@link #killAll}.
 */
final class ChildJvms {
    private final List<Process> processes = new ArrayList<>();

    /** A free loopback port. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts {@code java -cp <this class path> javaArgs…} in {@code work} with {@code env} added. */
    Process start(Path work, List<String> javaArgs, Map<String, String> env, String name) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        cmd.addAll(javaArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("HIQ_") || k.equals("LMK") || k.equals("JACK") || k.startsWith("OCI_"));
        pb.environment().putAll(env);
        pb.redirectOutput(work.resolve(name + ".out").toFile()).redirectError(work.resolve(name + ".err").toFile());
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /** Kills every child started here and waits (at most 30 s each) for it to end. */
    void killAll() throws InterruptedException {
        for (Process p : processes) p.destroyForcibly();
        for (Process p : processes) p.waitFor(30, TimeUnit.SECONDS);
    }
}
