package io.hiq.web.servlet;

import io.hiq.web.RequestSpan;
import io.hiq.web.WebSteps;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * Sets {@code X-Latency} at the last moment headers can still be changed: when the request ends,
 * or before the response would be committed earlier — a flush, a close, an error or redirect, or a
 * write that could fill the container's buffer or complete a declared content length. Stamping
 * as late as possible lets the header and the tree's root share one end reading in the common
 * case (a body that fits the buffer). Stamping runs inside the application's writes, so it is
 * guarded like every other HiQ step.
 */
final class LatencyStampingResponse extends HttpServletResponseWrapper {
    /** Bytes a char may take once encoded (UTF-8, BMP), to decide early enough for writers. */
    private static final int BYTES_PER_CHAR = 3;

    private final HttpServletResponse response;
    private final RequestSpan span;
    private boolean stamped;
    private long written;
    private long contentLength = -1;
    private ServletOutputStream out;
    private PrintWriter writer;

    LatencyStampingResponse(HttpServletResponse response, RequestSpan span) {
        super(response);
        this.response = response;
        this.span = span;
    }

    void stamp() {
        if (stamped) return;
        stamped = true;
        try {
            WebSteps.probe("stamp");
            if (!response.isCommitted()) response.setHeader("X-Latency", span.latencyHeader());
        } catch (Throwable t) {
            WebSteps.failed("stamp", t);
        }
    }

    /** Called before {@code bytes} more body bytes go to the container. */
    private void beforeWrite(long bytes) {
        if (stamped) return;
        long limit = response.getBufferSize();
        if (contentLength >= 0 && contentLength < limit) limit = contentLength;
        written += bytes;
        if (written >= limit) stamp();
    }

    @Override
    public void setContentLength(int len) {
        contentLength = len;
        super.setContentLength(len);
    }

    @Override
    public void setContentLengthLong(long len) {
        contentLength = len;
        super.setContentLengthLong(len);
    }

    @Override
    public void setHeader(String name, String value) {
        if ("Content-Length".equalsIgnoreCase(name)) contentLength = parseLength(value);
        super.setHeader(name, value);
    }

    @Override
    public void addHeader(String name, String value) {
        if ("Content-Length".equalsIgnoreCase(name)) contentLength = parseLength(value);
        super.addHeader(name, value);
    }

    private static long parseLength(String v) {
        try {
            return v == null ? -1 : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (out == null) out = new StampingStream(response.getOutputStream());
        return out;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        if (writer == null) writer = new StampingWriter(response.getWriter());
        return writer;
    }

    @Override
    public void flushBuffer() throws IOException {
        stamp();
        super.flushBuffer();
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        stamp();
        super.sendError(sc, msg);
    }

    @Override
    public void sendError(int sc) throws IOException {
        stamp();
        super.sendError(sc);
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        stamp();
        super.sendRedirect(location);
    }

    private final class StampingStream extends ServletOutputStream {
        private final ServletOutputStream d;

        StampingStream(ServletOutputStream d) { this.d = d; }

        @Override public void write(int b) throws IOException { beforeWrite(1); d.write(b); }
        @Override public void write(byte[] b, int off, int len) throws IOException { beforeWrite(len); d.write(b, off, len); }
        @Override public void flush() throws IOException { stamp(); d.flush(); }
        @Override public void close() throws IOException { stamp(); d.close(); }
        @Override public boolean isReady() { return d.isReady(); }
        @Override public void setWriteListener(WriteListener l) { d.setWriteListener(l); }
    }

    private final class StampingWriter extends PrintWriter {
        StampingWriter(PrintWriter d) { super(d); }

        // PrintWriter's print/println/format all end in these three writes
        @Override public void write(int c) { beforeWrite(BYTES_PER_CHAR); super.write(c); }
        @Override public void write(char[] buf, int off, int len) { beforeWrite((long) len * BYTES_PER_CHAR); super.write(buf, off, len); }
        @Override public void write(String s, int off, int len) { beforeWrite((long) len * BYTES_PER_CHAR); super.write(s, off, len); }
        @Override public void flush() { stamp(); super.flush(); }
        @Override public void close() { stamp(); super.close(); }
    }
}
