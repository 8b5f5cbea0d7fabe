package io.hiq.core.agent;

import io.hiq.core.event.Recorder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Renders a traced call's arguments for the {@code args} extra, on the calling thread (so the value
 * shown is the value at call time): {@code name=value, …}, each value capped at
 * {@link #MAX_VALUE_CHARS} characters.
 *
 * <p>What it guarantees, and no more: the value of a parameter whose <em>name</em> matches
 * {@link #SECRET} is replaced by {@code ***} before it leaves the thread, and a parameter whose name
 * is unknown shows its value only when it cannot hold text. It does <em>not</em> look inside values:
 * a secret within the value of a parameter with an innocent name (a URL with {@code password=}, a
 * header map, a DTO's {@code toString}) is shown as it is. See docs/SECURITY.md.
 */
public final class ArgsCapture {
    /** Longest rendering of one argument. */
    public static final int MAX_VALUE_CHARS = 128;
    /** Parameter names whose values are never shown. */
    public static final Pattern SECRET = Pattern.compile("(?i).*(pass|pwd|token|secret|key|cred|auth(?!or)|cookie|session|jwt|bearer|private|signature).*"
            // short words only as whole words: "pin" but not "shipping", "otp" but not "footprint"
            + "|(.*[^A-Za-z]|.*[a-z](?=[A-Z]))?(?i:pin|otp|ssn|sig)([^a-z].*)?");
    private static final String REDACTED = "***";

    private static final ConcurrentHashMap<Integer, String[]> NAMES = new ConcurrentHashMap<>();

    private ArgsCapture() {}

    /** Registers the parameter names of the method traced under {@code tagId}. */
    static void register(int tagId, String[] parameterNames) { NAMES.put(tagId, parameterNames.clone()); }

    /** Records the {@code args} extra of the call just entered. */
    public static void record(int tagId, Object[] args) {
        Recorder.extra("args", render(NAMES.get(tagId), args));
    }

    /**
     * {@code name=value, …} with secrets redacted and long values cut. A parameter whose name is not
     * known (a class compiled without {@code -parameters} or {@code -g}) is shown as {@code argN}, and
     * its value only when it cannot hold a secret (numbers, booleans, enums…): text and byte or char
     * arrays are redacted, since nothing tells a password from a user name then.
     */
    public static String render(String[] names, Object[] args) {
        StringBuilder sb = new StringBuilder(32 * Math.max(1, args.length));
        for (int i = 0; i < args.length; i++) {
            if (i > 0) sb.append(", ");
            String name = names != null && i < names.length ? names[i] : null;
            sb.append(name == null ? "arg" + i : name).append('=');
            Object v = args[i];
            if (name == null ? mayHoldText(v) : SECRET.matcher(name).matches()) {
                sb.append(REDACTED);
                continue;
            }
            String text;
            try {
                text = show(v);
            } catch (RuntimeException e) {
                text = "<" + e.getClass().getSimpleName() + " in toString>";
            }
            if (text.length() > MAX_VALUE_CHARS) text = text.substring(0, MAX_VALUE_CHARS) + "…(" + text.length() + " chars)";
            sb.append(text);
        }
        return sb.toString();
    }

    private static boolean mayHoldText(Object v) {
        return v instanceof CharSequence || v instanceof char[] || v instanceof byte[]
                || (v != null && !(v instanceof Number) && !(v instanceof Boolean) && !(v instanceof Enum<?>)
                    && !(v instanceof Character) && !v.getClass().isArray());
    }

    private static String show(Object v) {
        if (v instanceof Object[] a) return java.util.Arrays.deepToString(a);
        if (v instanceof int[] a) return java.util.Arrays.toString(a);
        if (v instanceof long[] a) return java.util.Arrays.toString(a);
        if (v instanceof double[] a) return java.util.Arrays.toString(a);
        if (v instanceof float[] a) return java.util.Arrays.toString(a);
        if (v instanceof short[] a) return java.util.Arrays.toString(a);
        if (v instanceof boolean[] a) return java.util.Arrays.toString(a);
        if (v instanceof byte[] a) return "byte[" + a.length + "]";
        if (v instanceof char[] a) return "char[" + a.length + "]";
        return String.valueOf(v);
    }
}
