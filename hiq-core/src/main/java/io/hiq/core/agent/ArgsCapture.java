package io.hiq.core.agent;

import io.hiq.core.event.Recorder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Renders a traced call's arguments for the {@code args} extra, on the calling thread (so the value
 * shown is the value at call time): {@code name=value, …}, each value capped at
 * {@link #MAX_VALUE_CHARS} characters, and the value of every parameter whose name looks secret
 * (password, token, secret, key, credential, …) replaced by {@code ***} before it leaves the
 * thread — so no output (tree, LMK, Jack, OTLP) can ever show it.
 */
public final class ArgsCapture {
    /** Longest rendering of one argument. */
    public static final int MAX_VALUE_CHARS = 128;
    /** Parameter names whose values are never shown. */
    public static final Pattern SECRET = Pattern.compile("(?i).*(passw|pwd|token|secret|key|credential|auth|cookie|session).*");
    private static final String REDACTED = "***";

    private static final ConcurrentHashMap<Integer, String[]> NAMES = new ConcurrentHashMap<>();

    private ArgsCapture() {}

    /** Registers the parameter names of the method traced under {@code tagId}. */
    static void register(int tagId, String[] parameterNames) { NAMES.put(tagId, parameterNames.clone()); }

    /** Records the {@code args} extra of the call just entered. */
    public static void record(int tagId, Object[] args) {
        Recorder.extra("args", render(NAMES.get(tagId), args));
    }

    /** {@code name=value, …} with secrets redacted and long values cut. */
    public static String render(String[] names, Object[] args) {
        StringBuilder sb = new StringBuilder(32 * Math.max(1, args.length));
        for (int i = 0; i < args.length; i++) {
            if (i > 0) sb.append(", ");
            String name = names != null && i < names.length ? names[i] : "arg" + i;
            sb.append(name).append('=');
            if (SECRET.matcher(name).matches()) {
                sb.append(REDACTED);
                continue;
            }
            String v;
            try {
                v = args[i] instanceof Object[] a ? java.util.Arrays.deepToString(a) : String.valueOf(args[i]);
            } catch (RuntimeException e) {
                v = "<" + e.getClass().getSimpleName() + " in toString>";
            }
            if (v.length() > MAX_VALUE_CHARS) v = v.substring(0, MAX_VALUE_CHARS) + "…(" + v.length() + " chars)";
            sb.append(v);
        }
        return sb.toString();
    }
}
