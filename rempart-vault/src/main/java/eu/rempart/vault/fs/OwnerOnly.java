package eu.rempart.vault.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Files only their owner may read: state, histories and logs that name patients' files. */
public final class OwnerOnly {
    private OwnerOnly() {
    }

    /**
     * Creates an empty file with mode 0600 (born so, never readable by others even for an instant)
     * where the file system has POSIX permissions, a plain new file elsewhere.
     *
     * @throws java.nio.file.FileAlreadyExistsException if it exists
     */
    public static void createFile(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
    }

    /**
     * Creates a directory and any missing parents with mode 0700 where the file system has POSIX
     * permissions (directories that exist are left as they are).
     */
    public static void createDirectories(Path dir) throws IOException {
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }
}
