package io.hiq.consumer.http;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Parses the {@code from}/{@code to} parameters of DESIGN B6: an ISO-8601 instant or epoch milliseconds. */
public final class TimeParam {
    private TimeParam() {}

    /** Epoch milliseconds, or null when {@code value} is null or blank. */
    public static Long parse(String name, String value) {
        if (value == null || value.isBlank()) return null;
        String v = value.trim();
        if (v.matches("-?\\d{1,19}")) {
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new BadRequestException("parameter '" + name + "': out of range: " + v);
            }
        }
        try {
            return Instant.parse(v).toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(v).toInstant().toEpochMilli();
            } catch (DateTimeParseException e2) {
                throw new BadRequestException("parameter '" + name + "': not an ISO-8601 instant or epoch milliseconds: " + v);
            }
        }
    }
}
