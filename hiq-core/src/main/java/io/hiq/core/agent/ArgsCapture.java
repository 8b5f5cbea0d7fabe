package io.hiq.core.agent;

import io.hiq.core.event.Recorder;
import io.hiq.core.redact.HarmlessTypes;
import io.hiq.tree.redact.SecretNames;
import io.hiq.tree.redact.SecretValues;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Renders a traced call's arguments for the {@code args} extra, on the calling thread (so the value
 * shown is the value at call time and no output ever holds the original): {@code name=value, …}.
 *
 * <p>Default-deny, per parameter, in this order:
 * <ol>
 *   <li>a parameter whose name {@linkplain SecretNames looks secret} shows {@code ***}, whatever its
 *       type and whatever the conf allows;</li>
 *   <li>a value of a {@linkplain HarmlessTypes harmless type} (numbers, booleans, enums, UUIDs,
 *       dates…) is shown;</li>
 *   <li>a parameter the conf allow-lists ({@code args(user,note)}, {@code args(*)}) shows its
 *       {@code toString} with {@linkplain SecretValues secret-shaped parts} masked, cut at
 *       {@link #MAX_VALUE_CHARS};</li>
 *   <li>text of at most {@link #SHORT_TEXT_CHARS} characters of a parameter whose name is known
 *       (and not secret) is shown, secret-shaped parts masked;</li>
 *   <li>anything else is described by type and size only ({@code <HashMap size=2>},
 *       {@code <String len=300>}); text of a parameter whose name is unknown (a class compiled
 *       without {@code -parameters} or {@code -g}) shows {@code ***}, since nothing tells a password
 *       from a user name then.</li>
 * </ol>
 * See docs/SECURITY.md.
 */
public final class ArgsCapture {
    /** Longest rendering of one allow-listed argument. */
    public static final int MAX_VALUE_CHARS = 128;
    /** Longest text shown without an allow-list entry. */
    public static final int SHORT_TEXT_CHARS = 64;
    /** Longest text given to the masking patterns: what is beyond it is never shown anyway. */
    private static final int MASK_WINDOW = 4096;
    private static final String REDACTED = SecretValues.MASK;

    /** How one traced method's parameters are shown: names (null: unknown) and allow-list flags. */
    private record Params(String[] names, boolean[] allowed) {}

    private static final ConcurrentHashMap<Integer, Params> PARAMS = new ConcurrentHashMap<>();

    private ArgsCapture() {}

    /** Registers the parameter names of the method traced under {@code tagId}, without an allow-list. */
    static void register(int tagId, String[] parameterNames) { register(tagId, parameterNames, Set.of()); }

    /** Registers the parameter names of the method traced under {@code tagId} and the conf's allow-list. */
    static void register(int tagId, String[] parameterNames, Set<String> shown) {
        PARAMS.put(tagId, params(parameterNames, shown));
    }

    /** Records the {@code args} extra of the call just entered. */
    public static void record(int tagId, Object[] args) {
        Params p = PARAMS.get(tagId);
        Recorder.extra("args", renderWith(p, args));
    }

    /** {@link #render(String[], Set, Object[])} without an allow-list. */
    public static String render(String[] names, Object[] args) { return render(names, Set.of(), args); }

    /**
     * {@code name=value, …} by the rules of this class. A parameter whose name is not known is shown
     * as {@code argN}.
     *
     * @param names the parameter names, null entries (or a null array) where unknown
     * @param shown the conf's allow-list: parameter names, or {@code *} for all
     */
    public static String render(String[] names, Set<String> shown, Object[] args) {
        return renderWith(params(names, shown), args);
    }

    private static Params params(String[] names, Set<String> shown) {
        String[] n = names == null ? new String[0] : names.clone();
        boolean[] allowed = new boolean[n.length];
        for (int i = 0; i < n.length; i++) {
            allowed[i] = n[i] != null && (shown.contains("*") || shown.contains(n[i]));
        }
        return new Params(n, allowed);
    }

    private static String renderWith(Params p, Object[] args) {
        String[] names = p == null ? new String[0] : p.names;
        StringBuilder sb = new StringBuilder(32 * Math.max(1, args.length));
        for (int i = 0; i < args.length; i++) {
            if (i > 0) sb.append(", ");
            String name = i < names.length ? names[i] : null;
            sb.append(name == null ? "arg" + i : name).append('=');
            String text;
            try {
                text = value(name, p != null && i < p.allowed.length && p.allowed[i], args[i]);
            } catch (RuntimeException e) {
                text = "<" + e.getClass().getSimpleName() + " in toString>";
            }
            sb.append(text);
        }
        return sb.toString();
    }

    private static String value(String name, boolean allowed, Object v) {
        if (SecretNames.isSecret(name)) return REDACTED;
        if (HarmlessTypes.harmless(v)) return HarmlessTypes.show(v);
        if (allowed) return cut(SecretValues.mask(window(text(v))));
        if (v instanceof CharSequence s) {
            if (name == null) return REDACTED;
            if (s.length() <= SHORT_TEXT_CHARS) return SecretValues.mask(s.toString());
        }
        if (name == null && (v instanceof char[] || v instanceof byte[])) return REDACTED;
        return HarmlessTypes.describe(v);
    }

    private static String text(Object v) {
        if (v instanceof Object[] a) return Arrays.deepToString(a);
        if (v instanceof byte[] a) return "byte[" + a.length + "]";
        if (v instanceof char[] a) return "char[" + a.length + "]";
        return String.valueOf(v);
    }

    private static String window(String s) { return s.length() > MASK_WINDOW ? s.substring(0, MASK_WINDOW) : s; }

    private static String cut(String s) {
        return s.length() > MAX_VALUE_CHARS ? s.substring(0, MAX_VALUE_CHARS) + "…(" + s.length() + " chars)" : s;
    }
}
