package io.hiq.examples.conf;

import io.hiq.HiQ;
import java.nio.file.Path;

/**
 * The driver code of the user guide's first example: trace {@link Main} with the conf next to it
 * and print the HiQ tree. Run: {@code bin/hiq example conf}.
 */
public final class MainDriver {
    private MainDriver() {}

    public static void main(String[] args) throws Exception {
        Path conf = args.length > 0 ? Path.of(args[0]) : Path.of("examples/src/main/resources/conf/hiq.conf");
        try (HiQ hiq = HiQ.latency(conf)) {   // self-attaches and instruments Main's three methods
            Main.main(args);                  // the target code, untouched
            hiq.show();                       // prints the tree in the Python HiQ's layout
        }                                     // close(): the original bytecode is back
    }
}
