package io.hiq.core.status;

import io.hiq.core.runtime.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The global HiQ status of the user guide (§3.1): one machine-wide switch, shared by every HiQ
 * process that uses the same {@code HIQ_HOME}. Stored as the file {@code $HIQ_HOME/status}
 * ({@code on} or {@code off}; no file means on).
 *
 * <p>Running HiQ instances poll it off the hot path (every second, or every 5 seconds with
 * {@code HIQ_STATUS_CACHED}), so the traced call only reads an in-memory flag.
 */
public final class HiQStatus {
    private static volatile long cachedAt;
    private static volatile boolean cachedValue = true;

    private HiQStatus() {}

    private static Path file(Settings s) { return s.home().resolve("status"); }

    /** The global status (true = tracing allowed). With {@code HIQ_STATUS_CACHED} a read is reused for 5 s. */
    public static boolean get() { return get(Settings.system()); }

    /** The global status under the given settings. */
    public static boolean get(Settings s) {
        if (s.flag("HIQ_STATUS_CACHED") && System.nanoTime() - cachedAt < 5_000_000_000L && cachedAt != 0) return cachedValue;
        boolean v = read(file(s));
        cachedValue = v;
        cachedAt = System.nanoTime();
        return v;
    }

    /** Sets the global status for every HiQ process using this {@code HIQ_HOME}. */
    public static void set(boolean on) { set(Settings.system(), on); }

    /** Sets the global status under the given settings (written atomically). */
    public static void set(Settings s, boolean on) {
        Path f = file(s);
        try {
            Files.createDirectories(f.getParent());
            Path tmp = Files.createTempFile(f.getParent(), "status", ".tmp");
            Files.writeString(tmp, on ? "on\n" : "off\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new IllegalStateException("hiq: cannot write the global status " + f + ": " + e.getMessage(), e);
        }
        cachedValue = on;
        cachedAt = System.nanoTime();
    }

    static boolean read(Path f) {
        try {
            String v = Files.readString(f, StandardCharsets.UTF_8).trim();
            return !v.equalsIgnoreCase("off") && !v.equals("0") && !v.equalsIgnoreCase("false");
        } catch (IOException e) {
            return true;
        }
    }
}
