package io.hiq.core.event;

/**
 * Extra information attached to the innermost open call ({@code HiQ.extra(key, value)}, captured
 * arguments, source location).
 *
 * @param key   the extra's name
 * @param value its value (rendered with {@link String#valueOf(Object)} where text is needed)
 */
public record ExtraValue(String key, Object value) {}
