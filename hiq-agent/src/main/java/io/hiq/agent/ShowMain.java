package io.hiq.agent;

import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import io.hiq.tree.TreeFormatException;
import io.hiq.tree.TreeRenderer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code bin/hiq show FILE}: renders the trees of a jack log, a trees file ({@code trees=FILE}) or
 * any file of tree JSON lines (docs/FORMATS.md §1), as text (docs/FORMATS.md §2). A line that is not a tree is
 * reported on stderr with its line number and skipped. Exit status: 0 when at least one tree was
 * shown, 1 when none, 2 on a usage or I/O error.
 */
public final class ShowMain {
    private ShowMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * The first line of a message, without a JSON parser's location suffix ("at [Source: …]") or
     * class names: what a user can act on, not the library's internals.
     */
    static String oneLine(String message) {
        if (message == null || message.isBlank()) return "unreadable";
        String m = message.strip();
        int nl = m.indexOf('\n');
        if (nl >= 0) m = m.substring(0, nl).strip();
        int src = m.indexOf(" at [Source");
        if (src >= 0) m = m.substring(0, src).strip();
        m = m.replaceAll("\\(?[a-z]+(\\.[a-z0-9_]+)+\\.[A-Z]\\w*(\\$\\w+)*\\)?", "").replaceAll("\\s+", " ").strip();
        return m.isEmpty() ? "unreadable" : m;
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.println("usage: bin/hiq show FILE   (renders the HiQ trees of a jack log or trees file as text)");
            return 0;
        }
        if (args.length != 1) {
            err.println("usage: bin/hiq show FILE");
            return 2;
        }
        Path file = Path.of(args[0]);
        TreeRenderer renderer = TreeRenderer.local();
        int shown = 0, lineNo = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) continue;
                try {
                    HiQTree tree = TreeCodec.decode(line);
                    if (shown > 0) out.println();
                    out.print(renderer.render(tree));
                    shown++;
                } catch (TreeFormatException e) {
                    err.println("hiq show: " + file + ":" + lineNo + ": not a HiQ tree: " + oneLine(e.getMessage()));
                }
            }
        } catch (NoSuchFileException e) {
            err.println("hiq show: " + file + ": no such file");
            return 2;
        } catch (AccessDeniedException e) {
            err.println("hiq show: " + file + ": permission denied");
            return 2;
        } catch (MalformedInputException e) {
            // a binary file (or another encoding): say so instead of "Input length = 1"
            err.println("hiq show: " + file + ":" + (lineNo + 1) + ": not a text file of HiQ trees (not UTF-8)");
            return 2;
        } catch (IOException e) {
            err.println("hiq show: " + file + ": cannot read: " + oneLine(e.getMessage()));
            return 2;
        }
        out.flush();
        return shown > 0 ? 0 : 1;
    }
}
