package io.hiq.bench.harness;

/**
 * The start-up probe: prints how long after the harness started this process {@code main} was
 * entered. {@code System.nanoTime()} is CLOCK_MONOTONIC on Linux, shared by every process of the
 * machine, so the harness's reading taken just before {@code ProcessBuilder.start()} is comparable.
 */
public final class HelloMain {
    private HelloMain() {}

    public static void main(String[] args) {
        long toMain = System.nanoTime() - Long.parseLong(args[0]);
        System.out.println("TOMAIN " + toMain);
    }
}
