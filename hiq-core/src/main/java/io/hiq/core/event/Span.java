package io.hiq.core.event;

/**
 * A span opened from code ({@code HiQ.span("checkout")}): a node like a traced method's, ended by
 * {@link #close()}. Use with try-with-resources on the thread that opened it. A span opened while
 * tracing is off records nothing and closing it does nothing.
 */
public final class Span implements AutoCloseable {
    private final int tagId;
    /** The recorder's token: null when tracing was off at open. */
    private final Object token;
    private Throwable failure;
    private boolean closed;

    Span(int tagId, Object token) {
        this.tagId = tagId;
        this.token = token;
    }

    /** Opens a span for a registered tag on the calling thread. */
    public static Span open(Tag tag) {
        return new Span(tag.id(), Recorder.enterToken(tag.id()));
    }

    /**
     * Opens a span whose start is {@code nanoTime} (a {@link System#nanoTime()} reading the caller
     * took and reports elsewhere, e.g. as an HTTP latency header), closed by {@link #closeAt(long)}.
     */
    public static Span openAt(Tag tag, long nanoTime) {
        return new Span(tag.id(), Recorder.enterTokenAt(tag.id(), nanoTime));
    }

    /** Closes the span at {@code nanoTime}, a reading the caller took (see {@link #openAt}). */
    public void closeAt(long nanoTime) {
        if (closed) return;
        closed = true;
        Recorder.exitTokenAt(tagId, token, failure, nanoTime);
    }

    /** Marks the span as ended by {@code t}: its node gets the {@code exception} extra. */
    public Span fail(Throwable t) {
        this.failure = t;
        return this;
    }

    /** Whether this span is being recorded. */
    public boolean recording() { return token != null; }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Recorder.exitToken(tagId, token, failure);
    }
}
