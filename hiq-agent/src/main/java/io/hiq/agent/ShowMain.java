package io.hiq.agent;

import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import io.hiq.tree.TreeFormatException;
import io.hiq.tree.TreeRenderer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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

    static int run(String[] args, PrintStream out, PrintStream err) {
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
                    err.println("hiq: " + file + ":" + lineNo + ": not a HiQ tree: " + e.getMessage());
                }
            }
        } catch (IOException e) {
            err.println("hiq: " + file + ": cannot read: " + e.getMessage());
            return 2;
        }
        out.flush();
        return shown > 0 ? 0 : 1;
    }
}
