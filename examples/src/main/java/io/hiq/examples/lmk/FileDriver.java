package io.hiq.examples.lmk;

import io.hiq.HiQ;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The guide's §4.2.2.1 (Python's {@code logging} writing to {@code /tmp/lmk.log}) the Java way: set
 * {@code LMK_PATH} (here its system property {@code hiq.lmk.path}) and the lines are appended to
 * that file, the line alone, its directories created.
 *
 * <p>Run: {@code bin/hiq example io.hiq.examples.lmk.FileDriver}, then {@code cat /tmp/lmk.log}.
 */
public final class FileDriver {
    private FileDriver() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(System.getProperty("hiq.lmk.path", "/tmp/lmk.log"));
        System.setProperty("hiq.lmk", "1");
        System.setProperty("hiq.lmk.path", file.toString());
        try (HiQ hiq = HiQ.latency(Confs.conf(args))) {
            Main.main(args);
        }
        System.out.println("$ cat " + file);
        System.out.print(Files.readString(file, StandardCharsets.UTF_8));
    }
}
