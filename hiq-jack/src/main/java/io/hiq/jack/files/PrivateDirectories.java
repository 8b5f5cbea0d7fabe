package io.hiq.jack.files;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Creates the directories Jack keeps trees in (HiQ's home, the spool) readable by the owner only
 * (0700 where the file system has POSIX permissions): trees hold captured arguments, and a
 * directory created with the default umask would let every local user read them. Directories that
 * already exist are left as they are (their owner chose).
 */
public final class PrivateDirectories {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private PrivateDirectories() {}

    /** True when this platform's default file system knows POSIX permissions. */
    public static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    /** The attribute that makes a new directory owner-only, or none where it does not apply. */
    public static FileAttribute<?>[] ownerOnly(Path where) {
        if (!where.getFileSystem().supportedFileAttributeViews().contains("posix")) return new FileAttribute<?>[0];
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)};
    }

    /**
     * Creates {@code dir} and every missing parent, each one owner-only.
     *
     * @return {@code dir}
     */
    public static Path create(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        if (Files.isDirectory(abs)) return dir;
        Path parent = abs.getParent();
        if (parent != null) create(parent);
        try {
            // the attribute is subject to the umask, which never adds permissions: 0700 stays 0700
            Files.createDirectory(abs, ownerOnly(abs));
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(abs)) throw e; // created meanwhile by another process: fine
        }
        return dir;
    }
}
