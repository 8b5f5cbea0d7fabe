package io.hiq.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the relative Markdown links of a repository that do not resolve: a target file that does
 * not exist, a path that leaves the repository, or a {@code #heading} anchor that no heading of the
 * target Markdown file produces (GitHub's rule: lower case, punctuation dropped, spaces to dashes).
 * Links with a scheme ({@code https:}, {@code mailto:}) are not checked, nor text in code.
 */
final class MarkdownLinks {
    /** {@code [text](target)} and {@code ![alt](target)}; the target ends at a space (title) or ')'. */
    private static final Pattern INLINE = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    /** {@code [id]: target} reference definitions. */
    private static final Pattern REFERENCE = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s+<?(\\S+?)>?(?:\\s.*)?$");
    private static final Pattern HEADING = Pattern.compile("^\\s{0,3}#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");
    private static final Set<String> SKIPPED_DIRS = Set.of(".git", "target", "node_modules", ".idea");

    private final Path repo;
    private final Map<Path, Set<String>> anchors = new HashMap<>();

    MarkdownLinks(Path repo) { this.repo = repo.toAbsolutePath().normalize(); }

    /** Every Markdown file of the repository, outside build output and VCS folders. */
    List<Path> markdownFiles() {
        try (Stream<Path> s = Files.walk(repo)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".md"))
                    .filter(p -> { for (Path part : repo.relativize(p)) if (SKIPPED_DIRS.contains(part.toString())) return false; return true; })
                    .filter(Files::isRegularFile)
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One line per broken link: {@code FILE:LINE: target: why}. */
    List<String> broken() {
        List<String> out = new ArrayList<>();
        for (Path file : markdownFiles()) out.addAll(broken(file));
        return out;
    }

    List<String> broken(Path file) {
        List<String> out = new ArrayList<>();
        List<String> lines = read(file);
        boolean fenced = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.stripLeading().startsWith("```") || line.stripLeading().startsWith("~~~")) { fenced = !fenced; continue; }
            if (fenced) continue;
            String text = line.replaceAll("`[^`]*`", "``"); // links inside code spans are code, not links
            List<String> targets = new ArrayList<>();
            Matcher m = INLINE.matcher(text);
            while (m.find()) targets.add(m.group(1));
            Matcher r = REFERENCE.matcher(text);
            if (r.matches()) targets.add(r.group(1));
            for (String target : targets) {
                String why = check(file, target);
                if (why != null) out.add(repo.relativize(file) + ":" + (i + 1) + ": " + target + ": " + why);
            }
        }
        return out;
    }

    private String check(Path file, String target) {
        if (SCHEME.matcher(target).find() || target.startsWith("//")) return null;
        int hash = target.indexOf('#');
        String path = hash >= 0 ? target.substring(0, hash) : target;
        String anchor = hash >= 0 ? target.substring(hash + 1) : null;
        int query = path.indexOf('?');
        if (query >= 0) path = path.substring(0, query);
        path = java.net.URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
        Path resolved = path.isEmpty() ? file
                : (path.startsWith("/") ? repo.resolve(path.substring(1)) : file.getParent().resolve(path)).normalize();
        if (!resolved.startsWith(repo)) return "leaves the repository";
        if (!Files.exists(resolved)) return "no such file " + repo.relativize(resolved);
        if (anchor != null && !anchor.isEmpty() && resolved.toString().endsWith(".md") && Files.isRegularFile(resolved)
                && !anchorsOf(resolved).contains(anchor.toLowerCase(Locale.ROOT))) {
            return "no heading makes the anchor #" + anchor + " in " + repo.relativize(resolved);
        }
        return null;
    }

    /** The anchors GitHub generates for the headings of a Markdown file. */
    Set<String> anchorsOf(Path file) {
        return anchors.computeIfAbsent(file, f -> {
            Set<String> out = new HashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            boolean fenced = false;
            for (String line : read(f)) {
                if (line.stripLeading().startsWith("```") || line.stripLeading().startsWith("~~~")) { fenced = !fenced; continue; }
                if (fenced) continue;
                Matcher m = HEADING.matcher(line);
                if (!m.matches()) continue;
                String slug = slug(m.group(1));
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                out.add(n == 0 ? slug : slug + "-" + n);
            }
            return out;
        });
    }

    /** GitHub's heading anchor: rendered text, lower case, only letters, digits, '_', '-' and spaces kept, spaces to '-'. */
    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1") // a link's text
                .replaceAll("<[^>]+>", "");                                   // inline HTML tags
        StringBuilder b = new StringBuilder();
        text.toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c) || c == '_' || c == '-') b.appendCodePoint(c);
            else if (c == ' ') b.append('-');
        });
        return b.toString();
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
