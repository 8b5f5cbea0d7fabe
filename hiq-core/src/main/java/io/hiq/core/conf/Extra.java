package io.hiq.core.conf;

import java.util.Locale;

/** What a conf entry asks to capture besides the metric (DESIGN B3, fifth column). */
public enum Extra {
    /** The call's arguments, default-deny (io.hiq.core.agent.ArgsCapture); {@code args(name,…)} allow-lists parameters. */
    ARGS,
    /** The source file and line of the traced method. */
    FILE,
    /** The traced method's declaring class and signature. */
    FUNC;

    /** The conf spelling of this extra: {@code args}, {@code file}, {@code func}. */
    public String confName() { return name().toLowerCase(Locale.ROOT); }
}
