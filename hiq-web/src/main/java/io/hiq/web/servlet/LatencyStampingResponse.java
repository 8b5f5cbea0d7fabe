package io.hiq.web.servlet;

import io.hiq.web.RequestSpan;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * Sets {@code X-Latency} at the last moment headers can still be changed: before the first body
 * byte is written or flushed, before an error or redirect is sent, or when the request ends.
 */
final class LatencyStampingResponse extends HttpServletResponseWrapper {
    private final HttpServletResponse response;
    private final RequestSpan span;
    private boolean stamped;
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
        if (!response.isCommitted()) response.setHeader("X-Latency", span.latencyHeader());
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

        @Override public void write(int b) throws IOException { stamp(); d.write(b); }
        @Override public void write(byte[] b, int off, int len) throws IOException { stamp(); d.write(b, off, len); }
        @Override public void flush() throws IOException { stamp(); d.flush(); }
        @Override public void close() throws IOException { stamp(); d.close(); }
        @Override public boolean isReady() { return d.isReady(); }
        @Override public void setWriteListener(WriteListener l) { d.setWriteListener(l); }
    }

    private final class StampingWriter extends PrintWriter {
        StampingWriter(PrintWriter d) { super(d); }

        // PrintWriter's print/println/format all end in these three writes
        @Override public void write(int c) { stamp(); super.write(c); }
        @Override public void write(char[] buf, int off, int len) { stamp(); super.write(buf, off, len); }
        @Override public void write(String s, int off, int len) { stamp(); super.write(s, off, len); }
        @Override public void flush() { stamp(); super.flush(); }
        @Override public void close() { stamp(); super.close(); }
    }
}
