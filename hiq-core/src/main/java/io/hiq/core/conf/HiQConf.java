package io.hiq.core.conf;

import java.util.List;

/**
 * A parsed, validated HiQ conf: the methods to trace. Tags are unique within one conf.
 *
 * @param source  the file it was read from, or {@code <list>} for a programmatic conf
 * @param entries the entries in file order
 */
public record HiQConf(String source, List<ConfEntry> entries) {
    public HiQConf {
        entries = List.copyOf(entries);
    }
}
