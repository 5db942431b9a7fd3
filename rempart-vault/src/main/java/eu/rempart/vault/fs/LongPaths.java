package eu.rempart.vault.fs;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Paths of PATH_MAX (4096) bytes or more, which the kernel refuses whole (ENAMETOOLONG). Such a
 * path is reached by opening its parent directory piece by piece (openat, each piece shorter
 * than PATH_MAX), then addressed as {@code /proc/self/fd/N/name}: a short alias for the very same
 * directory entry, which any path-based call (the JDK's included) accepts.
 */
final class LongPaths {
    static final int PATH_MAX = 4096;
    private static final int PIECE = 3800; // leaves room for the "/proc/self/fd/N/" prefix
    // Same values on x86, x86-64, arm and aarch64 (asm-generic); other architectures differ.
    private static final int O_PATH = 010000000;
    private static final int O_CLOEXEC = 02000000;

    interface PathOp<T> {
        T apply(Path shortPath) throws IOException;
    }

    private LongPaths() {
    }

    /** Runs op on p itself, or on a short alias of p when p is too long for the kernel. */
    static <T> T withShortPath(Path p, PathOp<T> op) throws IOException {
        byte[] b = FileNames.pathBytesShared(p);
        if (b.length < PATH_MAX) {
            return op.apply(p);
        }
        LibC.require();
        int slash = lastSlash(b, b.length - 1);
        if (slash < 0) {
            return op.apply(p); // a single over-long name: let the kernel say so
        }
        byte[] parent = slash == 0 ? new byte[] {'/'} : Arrays.copyOf(b, slash);
        byte[] name = Arrays.copyOfRange(b, slash + 1, b.length);
        int fd = openDirectory(p, parent);
        try {
            byte[] prefix = ("/proc/self/fd/" + fd + "/").getBytes(StandardCharsets.US_ASCII);
            byte[] alias = Arrays.copyOf(prefix, prefix.length + name.length);
            System.arraycopy(name, 0, alias, prefix.length, name.length);
            return op.apply(FileNames.fromBytes(alias));
        } catch (FileSystemException e) {
            throw renamed(e, p);
        } finally {
            LibC.close(fd);
        }
    }

    /** The JDK names the alias in its exceptions: name the caller's path instead. */
    private static FileSystemException renamed(FileSystemException e, Path p) {
        if (e.getFile() == null || !e.getFile().startsWith("/proc/self/fd/")) {
            return e;
        }
        String file = FileNames.display(p);
        FileSystemException r;
        if (e instanceof NoSuchFileException) {
            r = new NoSuchFileException(file, null, e.getReason());
        } else if (e instanceof AccessDeniedException) {
            r = new AccessDeniedException(file, null, e.getReason());
        } else if (e instanceof FileAlreadyExistsException) {
            r = new FileAlreadyExistsException(file, null, e.getReason());
        } else {
            r = new FileSystemException(file, null, e.getReason());
        }
        r.initCause(e);
        return r;
    }

    /** An O_PATH descriptor of dir, opened in pieces shorter than PATH_MAX. */
    private static int openDirectory(Path p, byte[] dir) throws IOException {
        int fd = LibC.AT_FDCWD;
        int start = 0;
        try {
            while (start < dir.length) {
                int end = dir.length;
                if (end - start > PIECE) {
                    end = lastSlash(dir, start + PIECE);
                    if (end <= start) {
                        throw new IOException("path component too long: " + FileNames.display(p));
                    }
                }
                byte[] piece = Arrays.copyOfRange(dir, start, end + 1); // + NUL terminator
                piece[piece.length - 1] = 0;
                int next = LibC.openat(fd, piece, O_PATH | O_CLOEXEC);
                if (fd != LibC.AT_FDCWD) {
                    LibC.close(fd);
                }
                fd = next;
                start = end;
                while (start < dir.length && dir[start] == '/') {
                    start++;
                }
            }
            return fd;
        } catch (LastErrorException e) {
            if (fd != LibC.AT_FDCWD) {
                LibC.close(fd);
            }
            throw FileSystemAccess.error(e, p, "openat");
        }
    }

    private static int lastSlash(byte[] b, int from) {
        for (int i = from; i >= 0; i--) {
            if (b[i] == '/') {
                return i;
            }
        }
        return -1;
    }
}
