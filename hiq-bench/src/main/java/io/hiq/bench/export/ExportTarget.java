package io.hiq.bench.export;

/** Traced code of {@link ExportOverhead}: a root with three nested calls, a few ns of work each. */
public final class ExportTarget {
    private static volatile long sink;

    private ExportTarget() {}

    public static void root(int i) { a(i); }

    public static void a(int i) { b(i); sink += i; }

    public static void b(int i) { c(i); sink += i; }

    public static void c(int i) { sink += i; }
}
