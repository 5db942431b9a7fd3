package eu.rempart.vault.fs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The few libc calls the JDK does not offer (Linux). Direct mapping: cheaper per call than a JNA
 * interface proxy. Every path and name is a NUL-terminated raw byte array, so nothing is lost to
 * String conversion. Errors surface as {@link LastErrorException} carrying errno.
 */
final class LibC {
    static final int ENOENT = 2;
    static final int EPERM = 1;
    static final int EACCES = 13;
    static final int EEXIST = 17;
    static final int ENOTDIR = 20;
    static final int ERANGE = 34;
    static final int ENODATA = 61;
    static final int ELOOP = 40;
    static final int ENOTSUP = 95; // == EOPNOTSUPP on Linux
    static final int EINTR = 4;
    static final int EINVAL = 22;
    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final long UTIME_OMIT = (1L << 30) - 2;

    private static final Throwable LOAD_FAILURE;

    static {
        Throwable failure = null;
        try {
            Native.register(LibC.class, libc());
        } catch (Throwable t) { // UnsatisfiedLinkError, or no native support for this platform
            failure = t;
        }
        LOAD_FAILURE = failure;
    }

    private LibC() {
    }

    /**
     * glibc by its file name: asked for "c", JNA first tries libc.so (a linker script, which dlopen
     * refuses) and then searches its path. Other C libraries (musl) go through JNA's own search.
     */
    private static NativeLibrary libc() {
        if (Platform.isLinux()) {
            givePlatformPath();
            try {
                return NativeLibrary.getInstance("libc.so.6");
            } catch (UnsatisfiedLinkError e) {
                // not glibc
            }
        }
        return NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
    }

    private static final String PLATFORM_PATH = "jna.platform.library.path";

    /**
     * JNA completes its default search path, once per process, by running {@code ldconfig -p} in a
     * child process (some 20 ms of every backup and restore) unless the path is given. The
     * directory this process already maps glibc from, then the usual ones, are that path.
     */
    private static void givePlatformPath() {
        if (System.getProperty(PLATFORM_PATH) != null) {
            return;
        }
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            maps.map(l -> l.substring(l.indexOf('/') < 0 ? l.length() : l.indexOf('/')))
                    .filter(f -> f.endsWith("/libc.so.6"))
                    .findFirst()
                    .ifPresent(f -> System.setProperty(PLATFORM_PATH,
                            f.substring(0, f.lastIndexOf('/')) + ":/usr/lib:/lib"));
        } catch (IOException | RuntimeException e) {
            // JNA computes the path itself
        }
    }

    static boolean unavailable() {
        return LOAD_FAILURE != null;
    }

    /** Throws if libc could not be bound, with the cause (e.g. JNA missing for this platform). */
    static void require() throws IOException {
        if (LOAD_FAILURE != null) {
            throw new IOException("native file system access unavailable: " + LOAD_FAILURE, LOAD_FAILURE);
        }
    }

    static native NativeLong llistxattr(byte[] path, byte[] list, NativeLong size) throws LastErrorException;

    static native NativeLong lgetxattr(byte[] path, byte[] name, byte[] value, NativeLong size) throws LastErrorException;

    static native int lsetxattr(byte[] path, byte[] name, byte[] value, NativeLong size, int flags) throws LastErrorException;

    static native NativeLong readlink(byte[] path, byte[] buf, NativeLong size) throws LastErrorException;

    static native int symlink(byte[] target, byte[] linkPath) throws LastErrorException;

    /** glibc 2.33+ exports mknod; dev_t is 64 bits on every glibc. */
    static native int mknod(byte[] path, int mode, long dev) throws LastErrorException;

    static native int lchown(byte[] path, int uid, int gid) throws LastErrorException;

    static native int chmod(byte[] path, int mode) throws LastErrorException;

    /** times: two struct timespec {time_t tv_sec; long tv_nsec}. */
    static native int utimensat(int dirFd, byte[] path, Pointer times, int flags) throws LastErrorException;

    static native int openat(int dirFd, byte[] path, int flags) throws LastErrorException;

    static native int close(int fd);
    /** off_t is 64 bits on the 64-bit Linux targets where this is used. */
    static native NativeLong pread(int fd, Pointer buf, NativeLong count, long offset) throws LastErrorException;
    static native Pointer fdopendir(int fd) throws LastErrorException;
    /** NULL at the end of the directory (errors are not told apart: they end the listing too). */
    static native Pointer readdir(Pointer dir);
    static native int closedir(Pointer dir);

    static native int geteuid();

    // Not reentrant (static result buffers): callers synchronize.
    static native Pointer getpwuid(int uid);

    static native Pointer getgrgid(int gid);

    static native Pointer getpwnam(byte[] name);

    static native Pointer getgrnam(byte[] name);

    static native String strerror(int errno);
}
