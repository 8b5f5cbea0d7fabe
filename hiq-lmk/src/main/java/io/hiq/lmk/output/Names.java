package io.hiq.lmk.output;

/** Names LMK shares with users' logging configurations (DESIGN A3). */
public final class Names {
    private Names() {}

    /** The logger LMK logs on: route it in logback.xml with {@code <logger name="hiq.lmk">}. */
    public static final String LOGGER = "hiq.lmk";
}
