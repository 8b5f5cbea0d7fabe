package io.hiq.jack.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.LoggerContextVO;
import java.util.List;
import java.util.Map;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;

/**
 * One jack log event: a tree's B4 JSON bytes. Lighter than logback's {@code LoggingEvent}: no
 * caller data, no MDC copy, and the JSON text is only built if a configured layout asks for
 * {@code %msg} ({@link JackLineEncoder} writes the bytes as they are).
 */
final class JackEvent implements ILoggingEvent {
    private final JackLine line;
    private final String loggerName;
    private final LoggerContextVO context;
    private final long timeStamp;
    private final boolean lines;
    private String text;

    /**
     * @param lines true when {@code json} already holds whole newline-terminated lines (a batch)
     */
    JackEvent(byte[] json, String loggerName, LoggerContextVO context, boolean lines) {
        this.line = new JackLine(json);
        this.lines = lines;
        this.loggerName = loggerName;
        this.context = context;
        this.timeStamp = System.currentTimeMillis();
    }

    /** The tree's JSON bytes. */
    JackLine line() { return line; }

    /** True when the bytes are whole lines already (the encoder adds no newline). */
    boolean isLines() { return lines; }

    @Override public String getThreadName() { return Thread.currentThread().getName(); }
    @Override public Level getLevel() { return Level.INFO; }
    @Override public String getMessage() { return getFormattedMessage(); }
    @Override public Object[] getArgumentArray() { return new Object[] {line}; }
    @Override public String getFormattedMessage() {
        if (text == null) text = line.toString();
        return text;
    }
    @Override public String getLoggerName() { return loggerName; }
    @Override public LoggerContextVO getLoggerContextVO() { return context; }
    @Override public IThrowableProxy getThrowableProxy() { return null; }
    @Override public StackTraceElement[] getCallerData() { return new StackTraceElement[0]; }
    @Override public boolean hasCallerData() { return false; }
    @Override public List<Marker> getMarkerList() { return List.of(); }
    @Override public Map<String, String> getMDCPropertyMap() { return Map.of(); }
    @Override public Map<String, String> getMdc() { return Map.of(); }
    @Override public long getTimeStamp() { return timeStamp; }
    @Override public int getNanoseconds() { return -1; }
    @Override public long getSequenceNumber() { return 0; }
    @Override public List<KeyValuePair> getKeyValuePairs() { return List.of(); }
    /** Nothing to freeze: the event holds no thread-local state (an async appender may keep it as is). */
    @Override public void prepareForDeferredProcessing() { }

}
