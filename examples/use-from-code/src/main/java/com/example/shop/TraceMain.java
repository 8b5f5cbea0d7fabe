package com.example.shop;

import io.hiq.HiQ;
import java.nio.file.Path;

/** The README's "drive it from code" example: traces {@link Main} with the methods listed in hiq.conf. */
public final class TraceMain {
    private TraceMain() {}

    public static void main(String[] args) throws Exception {
        Path conf = Path.of(args.length > 0 ? args[0] : "hiq.conf");
        try (HiQ hiq = HiQ.latency(conf)) {   // self-attaches and instruments
            Main.main(args);                   // the target code, untouched
            hiq.show();                        // prints the HiQ trees
        }                                      // close(): the original bytecode is back
    }
}
