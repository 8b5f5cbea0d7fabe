package io.hiq.core.conf;

import java.util.List;

/**
 * One entry as read, before validation: the five column values (extras may be empty) and the
 * names under which each was written, so an error names the field the user actually typed (a JSON
 * conf may say {@code function} or {@code method}, {@code name} or {@code tag}).
 *
 * @param values the five values in column order {@code module, class, method, tag, extras}
 * @param fields the five field names, in the same order, used in error messages
 * @param line   the physical 1-based line where the entry starts
 */
record RawEntry(List<String> values, List<String> fields, int line) {
    /** The canonical column names, the field names of CSV and programmatic entries. */
    static final List<String> COLUMNS = List.of("module", "class", "method", "tag", "extras");

    static final int MODULE = 0;
    static final int CLASS = 1;
    static final int METHOD = 2;
    static final int TAG = 3;
    static final int EXTRAS = 4;

    RawEntry {
        values = List.copyOf(values);
        fields = List.copyOf(fields);
    }

    String value(int column) { return values.get(column); }

    String field(int column) { return fields.get(column); }
}
