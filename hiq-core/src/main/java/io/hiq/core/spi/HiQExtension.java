package io.hiq.core.spi;

/**
 * A pluggable consumer of HiQ's output (LMK, Jack, Prometheus, OpenTelemetry export), found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/io.hiq.core.spi.HiQExtension}).
 *
 * <p>At start the runtime calls {@link #start} on every extension found; the extension reads its
 * settings from the context, decides whether it is enabled (e.g. {@code LMK=1}) and, if so,
 * registers its span handlers and tree sinks and returns true. Bad settings are reported by the
 * extension as one clear line on stderr; it must not throw and must not stop the application.
 */
public interface HiQExtension {
    /** A short name for messages: {@code lmk}, {@code jack}, {@code prometheus}, … */
    String name();

    /**
     * Starts the extension if its settings enable it.
     *
     * @return true when it registered something and wants {@link #close} at shutdown
     */
    boolean start(HiQContext context);

    /** Stops the extension; called after its handlers and sinks were flushed and closed. */
    default void close() {}
}
