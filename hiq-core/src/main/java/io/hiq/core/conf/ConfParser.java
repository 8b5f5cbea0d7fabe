package io.hiq.core.conf;

import java.nio.file.Path;
import java.util.List;

/**
 * Reads HiQ confs (DESIGN B3): CSV ({@code .csv}, {@code .conf}, any other name), JSON
 * ({@code .json}), and programmatic lists of four (or five) strings.
 */
public final class ConfParser {
    private ConfParser() {}

    /** Parses a conf file; the format follows the file name. */
    public static HiQConf parse(Path file) throws ConfException {
        throw new UnsupportedOperationException("TODO conf parser");
    }

    /** Parses a programmatic conf: each inner list is {@code module, class, method, tag[, extras]}. */
    public static HiQConf parse(List<List<String>> rows) throws ConfException {
        throw new UnsupportedOperationException("TODO conf parser");
    }
}
