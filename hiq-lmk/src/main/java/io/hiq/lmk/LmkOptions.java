package io.hiq.lmk;

import io.hiq.core.runtime.Settings;
import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * LMK's settings (DESIGN B5): {@code LMK_FORMAT}, {@code LMK_PATH}, {@code HIQ_LMK_CONFIG} and
 * whether HiQ runs as an agent ({@code HIQ_AGENT}, set by the agent). A bad value is reported as one
 * line on stderr and replaced by the default: LMK never stops the application.
 *
 * @param format the line format
 * @param path   {@code LMK_PATH}: the file lines go to when no logging configuration routes {@code hiq.lmk}; null for stdout
 * @param config {@code HIQ_LMK_CONFIG}: a standard logback.xml for LMK's own, private logback; null when unset
 * @param agent  true when loaded by the agent (isolated class loader): never touch the application's logging
 */
public record LmkOptions(Format format, Path path, Path config, boolean agent) {
    /** {@code LMK_FORMAT}. */
    public enum Format {
        /** The B5b line (default). */
        TEXT,
        /** One JSON object per line. */
        JSON
    }

    /** Reads the options, reporting bad values on {@code err}. */
    public static LmkOptions from(Settings s, PrintStream err) {
        Format format = Format.TEXT;
        String f = s.get("LMK_FORMAT", "text").toLowerCase(Locale.ROOT);
        switch (f) {
            case "text" -> format = Format.TEXT;
            case "json" -> format = Format.JSON;
            default -> err.println("hiq: lmk: LMK_FORMAT: unknown format '" + f + "' (expected text or json); using text");
        }
        return new LmkOptions(format, path(s, "LMK_PATH", err), path(s, "HIQ_LMK_CONFIG", err), s.flag("HIQ_AGENT"));
    }

    private static Path path(Settings s, String variable, PrintStream err) {
        String v = s.get(variable, null);
        if (v == null) return null;
        try {
            return Path.of(v);
        } catch (InvalidPathException e) {
            err.println("hiq: lmk: " + variable + ": not a valid path '" + v + "' (" + e.getReason() + "); ignored");
            return null;
        }
    }
}
