package io.hiq.jack.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * Opens the spool's segment files for writing; tests substitute one whose channels fail (disk
 * full, I/O errors) to check that a failed append never leaves a partial record behind.
 */
@FunctionalInterface
public interface ChannelOpener {
    /** The real file system. */
    ChannelOpener FILES = FileChannel::open;

    /** Opens {@code path} like {@link FileChannel#open(Path, OpenOption...)}. */
    FileChannel open(Path path, OpenOption... options) throws IOException;
}
