package eu.rempart.vault.restoretest;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The scratch folder a restore test restores into. It holds patient data: only its owner may
 * read it, and a marker file tells a later run that a folder left by an interrupted one (power
 * cut) is ours to delete, while a folder with anything else in it is never touched.
 */
final class Scratch {
    static final String MARKER = ".rempart-restore-test";

    private Scratch() {
    }

    /** Creates {@code dir} fresh, deleting what an interrupted run left there. */
    static void prepare(Path dir) throws IOException {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(dir.toString(), null, "exists and is not a folder");
            }
            if (Files.exists(dir.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) {
                delete(dir);
            } else if (!isEmpty(dir)) {
                throw new FileAlreadyExistsException(dir.toString(), null,
                        "not empty and not made by a restore test: refusing to use it");
            }
        }
        Path parent = dir.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        boolean posix = Files.getFileAttributeView(parent == null ? dir : parent, PosixFileAttributeView.class) != null;
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (posix) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectory(dir);
            }
        }
        if (posix) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        Files.createFile(dir.resolve(MARKER));
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            return !ds.iterator().hasNext();
        }
    }

    /**
     * Gives the owner access to everything below {@code dir}: the restorer applies the snapshot's
     * modes, and a file or folder saved without read or write permission could then be neither
     * checked nor deleted. Symlinks are never followed.
     */
    static void makeAccessible(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        addOwnerPermissions(dir, EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    makeAccessible(p);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    addOwnerPermissions(p, EnumSet.of(PosixFilePermission.OWNER_READ));
                }
            }
        }
    }

    private static void addOwnerPermissions(Path p, Set<PosixFilePermission> wanted) throws IOException {
        PosixFileAttributeView v = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (v == null) {
            return;
        }
        Set<PosixFilePermission> perms = v.readAttributes().permissions();
        if (!perms.containsAll(wanted)) {
            perms.addAll(wanted);
            v.setPermissions(perms);
        }
    }

    /** Deletes {@code dir} and everything in it; nothing if it does not exist. */
    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        makeAccessible(dir);
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
