package io.hiq.examples.lmk;

import java.nio.file.Path;

/** Where the LMK examples find their conf: the first argument, else the one in examples/. */
final class Confs {
    private Confs() {}

    static Path conf(String[] args) {
        return args.length > 0 ? Path.of(args[0]) : Path.of("examples/src/main/resources/lmk/hiq.conf");
    }
}
