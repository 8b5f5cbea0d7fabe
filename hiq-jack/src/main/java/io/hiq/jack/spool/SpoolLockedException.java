package io.hiq.jack.spool;

import java.io.IOException;
import java.nio.file.Path;

/** Another process (or another Jack in this JVM) holds the spool directory. */
public final class SpoolLockedException extends IOException {
    private static final long serialVersionUID = 1L;

    public SpoolLockedException(Path dir) {
        super("spool " + dir + " is in use by another process");
    }
}
