package eu.rempart.vault.fs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The file system access backup and restore need beyond java.nio.file (Linux).
 *
 * <p>lstat runs once per backed-up file, so it stays on the JDK (no native call of ours): it reads
 * the JDK's own {@code UnixFileAttributes} object when {@code sun.nio.fs} is opened to us, else
 * the {@code unix:} attribute map. Everything the JDK cannot do (device nodes, all xattr
 * namespaces, symlink times and owners, raw-byte link targets) goes through libc via JNA.
 */
public final class FileSystemAccess {
    private static final String UNIX_ATTRS =
            "unix:mode,ino,dev,rdev,nlink,uid,gid,size,lastAccessTime,lastModifiedTime,ctime";

    private static final Map<Integer, String> USER_NAMES = new ConcurrentHashMap<>();
    private static final Map<Integer, String> GROUP_NAMES = new ConcurrentHashMap<>();
    private static final Object PASSWD_LOCK = new Object();

    private FileSystemAccess() {
    }

    // ---- lstat ----------------------------------------------------------------------------

    /** Handles on sun.nio.fs.UnixFileAttributes, each typed (Object) -> int/long/FileTime; null if unavailable. */
    private static final Class<?> UNIX_ATTRS_CLASS;
    private static final MethodHandle A_MODE;
    private static final MethodHandle A_INO;
    private static final MethodHandle A_DEV;
    private static final MethodHandle A_RDEV;
    private static final MethodHandle A_NLINK;
    private static final MethodHandle A_UID;
    private static final MethodHandle A_GID;
    private static final MethodHandle A_CTIME;

    static {
        Class<?> c = null;
        MethodHandle[] h = new MethodHandle[8];
        try {
            c = Class.forName("sun.nio.fs.UnixFileAttributes");
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(c, MethodHandles.lookup());
            String[] names = {"mode", "ino", "dev", "rdev", "nlink", "uid", "gid", "ctime"};
            Class<?>[] types = {int.class, long.class, long.class, long.class, long.class, int.class, int.class,
                FileTime.class};
            for (int i = 0; i < names.length; i++) {
                MethodHandle m = null;
                for (Class<?> rt : new Class<?>[] {int.class, long.class, FileTime.class}) {
                    try {
                        m = l.findVirtual(c, names[i], MethodType.methodType(rt));
                        break;
                    } catch (NoSuchMethodException e) {
                        // try the next return type: JDK versions differ (e.g. nlink int or long)
                    }
                }
                if (m == null) {
                    throw new NoSuchMethodException(names[i]);
                }
                h[i] = m.asType(MethodType.methodType(types[i], Object.class));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            c = null; // not opened, or a JDK with another shape: use the attribute map
        }
        UNIX_ATTRS_CLASS = c;
        A_MODE = c == null ? null : h[0];
        A_INO = c == null ? null : h[1];
        A_DEV = c == null ? null : h[2];
        A_RDEV = c == null ? null : h[3];
        A_NLINK = c == null ? null : h[4];
        A_UID = c == null ? null : h[5];
        A_GID = c == null ? null : h[6];
        A_CTIME = c == null ? null : h[7];
    }

    /** Status of p itself (symlinks are not followed), times with nanoseconds. */
    public static FileStat lstat(Path p) throws IOException {
        return LongPaths.withShortPath(p, FileSystemAccess::lstatShort);
    }

    private static FileStat lstatShort(Path p) throws IOException {
        if (UNIX_ATTRS_CLASS != null) {
            BasicFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (UNIX_ATTRS_CLASS.isInstance(a)) {
                return fromUnixAttributes(a);
            }
        }
        return lstatViaMap(p);
    }

    private static FileStat fromUnixAttributes(BasicFileAttributes a) {
        try {
            int stMode = (int) A_MODE.invokeExact((Object) a);
            return new FileStat(FileKind.fromMode(stMode), stMode & 07777, a.size(),
                    (int) A_UID.invokeExact((Object) a), (int) A_GID.invokeExact((Object) a),
                    (long) A_INO.invokeExact((Object) a), (long) A_DEV.invokeExact((Object) a),
                    (long) A_RDEV.invokeExact((Object) a), (long) A_NLINK.invokeExact((Object) a),
                    a.lastAccessTime().toInstant(), a.lastModifiedTime().toInstant(),
                    ((FileTime) A_CTIME.invokeExact((Object) a)).toInstant());
        } catch (Throwable t) {
            throw new IllegalStateException("cannot read unix attributes", t);
        }
    }

    /** The portable route through the public "unix:" attribute view (also used to cross-check). */
    static FileStat lstatViaMap(Path p) throws IOException {
        Map<String, Object> m = Files.readAttributes(p, UNIX_ATTRS, LinkOption.NOFOLLOW_LINKS);
        int stMode = (Integer) m.get("mode");
        return new FileStat(FileKind.fromMode(stMode), stMode & 07777, (Long) m.get("size"),
                (Integer) m.get("uid"), (Integer) m.get("gid"), (Long) m.get("ino"), (Long) m.get("dev"),
                (Long) m.get("rdev"), ((Number) m.get("nlink")).longValue(),
                ((FileTime) m.get("lastAccessTime")).toInstant(), ((FileTime) m.get("lastModifiedTime")).toInstant(),
                ((FileTime) m.get("ctime")).toInstant());
    }

    // ---- users and groups -----------------------------------------------------------------

    /** The user name of uid, "" if unknown. Cached: backups ask for the same few ids again and again. */
    public static String userName(int uid) {
        return USER_NAMES.computeIfAbsent(uid, u -> lookupName(true, u));
    }

    /** The group name of gid, "" if unknown. Cached. */
    public static String groupName(int gid) {
        return GROUP_NAMES.computeIfAbsent(gid, g -> lookupName(false, g));
    }

    /** The uid of a user name, -1 if unknown. */
    public static int uidOf(String user) {
        return lookupId(true, user);
    }

    /** The gid of a group name, -1 if unknown. */
    public static int gidOf(String group) {
        return lookupId(false, group);
    }

    private static String lookupName(boolean user, int id) {
        try {
            LibC.require();
        } catch (IOException e) {
            return "";
        }
        synchronized (PASSWD_LOCK) {
            // pw_name and gr_name are the first member of struct passwd and struct group.
            Pointer entry = user ? LibC.getpwuid(id) : LibC.getgrgid(id);
            if (entry == null) {
                return "";
            }
            Pointer name = entry.getPointer(0);
            return name == null ? "" : new String(name.getByteArray(0, strlen(name)), StandardCharsets.UTF_8);
        }
    }

    private static int lookupId(boolean user, String name) {
        if (name == null || name.isEmpty()) {
            return -1;
        }
        try {
            LibC.require();
        } catch (IOException e) {
            return -1;
        }
        byte[] cName = cString(name.getBytes(StandardCharsets.UTF_8));
        synchronized (PASSWD_LOCK) {
            Pointer entry = user ? LibC.getpwnam(cName) : LibC.getgrnam(cName);
            // struct passwd {char *pw_name; char *pw_passwd; uid_t pw_uid; ...};
            // struct group {char *gr_name; char *gr_passwd; gid_t gr_gid; ...}
            return entry == null ? -1 : entry.getInt(2L * Native.POINTER_SIZE);
        }
    }

    private static int strlen(Pointer p) {
        int n = 0;
        while (p.getByte(n) != 0) {
            n++;
        }
        return n;
    }

    // ---- symlinks ---------------------------------------------------------------------------

    /** The target of a symlink as raw bytes (may be non-UTF-8, relative, or dangling). */
    public static byte[] readLink(Path link) throws IOException {
        LibC.require();
        return LongPaths.withShortPath(link, s -> readLink(link, cPath(s)));
    }

    private static byte[] readLink(Path link, byte[] path) throws IOException {
        int size = 256;
        while (true) {
            byte[] buf = new byte[size];
            long n;
            try {
                n = LibC.readlink(path, buf, new NativeLong(size)).longValue();
            } catch (LastErrorException e) {
                throw error(e, link, "readlink");
            }
            if (n < size) { // == size means it may have been truncated
                return Arrays.copyOf(buf, (int) n);
            }
            size *= 4;
        }
    }

    /** Creates link pointing to target, both as raw bytes (the target is stored verbatim). */
    public static void createSymlink(Path link, byte[] target) throws IOException {
        LibC.require();
        if (target.length == 0) {
            throw new IllegalArgumentException("empty symlink target");
        }
        for (byte b : target) {
            if (b == 0) {
                throw new IllegalArgumentException("symlink target contains NUL: " + FileNames.display(target));
            }
        }
        LongPaths.withShortPath(link, s -> {
            try {
                return LibC.symlink(cString(target), cPath(s));
            } catch (LastErrorException e) {
                throw error(e, link, "symlink");
            }
        });
    }

    // ---- extended attributes ----------------------------------------------------------------

    /**
     * All extended attributes of p itself (not following symlinks) that this process may read:
     * user.*, and also trusted.* and security.* when root. [] if the file system has none.
     */
    public static List<Xattr> readXattrs(Path p) throws IOException {
        LibC.require();
        return LongPaths.withShortPath(p, s -> readXattrs(p, cPath(s)));
    }

    private static List<Xattr> readXattrs(Path p, byte[] path) throws IOException {
        byte[] list = null;
        int len;
        while (true) {
            try {
                // Size query first: most files have no xattrs, so this single call is the common case.
                long size = LibC.llistxattr(path, null, new NativeLong(0)).longValue();
                if (size == 0) {
                    return List.of();
                }
                list = new byte[(int) size];
                len = (int) LibC.llistxattr(path, list, new NativeLong(size)).longValue();
                break;
            } catch (LastErrorException e) {
                if (e.getErrorCode() == LibC.ENOTSUP) {
                    return List.of();
                }
                if (e.getErrorCode() != LibC.ERANGE) { // ERANGE: the list grew meanwhile, ask again
                    throw error(e, p, "llistxattr");
                }
            }
        }
        List<Xattr> result = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < len; i++) {
            if (list[i] == 0) {
                if (i > start) {
                    byte[] name = Arrays.copyOfRange(list, start, i + 1); // with its NUL
                    byte[] value = getXattr(p, path, name);
                    if (value != null) {
                        result.add(new Xattr(new String(name, 0, name.length - 1, StandardCharsets.UTF_8), value));
                    }
                }
                start = i + 1;
            }
        }
        return result;
    }

    /** The value of one xattr; null if it vanished meanwhile. */
    private static byte[] getXattr(Path p, byte[] path, byte[] cName) throws IOException {
        while (true) {
            try {
                long size = LibC.lgetxattr(path, cName, null, new NativeLong(0)).longValue();
                byte[] value = new byte[(int) size];
                if (size == 0) {
                    return value;
                }
                long n = LibC.lgetxattr(path, cName, value, new NativeLong(size)).longValue();
                return n == size ? value : Arrays.copyOf(value, (int) n);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == LibC.ENODATA) {
                    return null;
                }
                if (e.getErrorCode() != LibC.ERANGE) {
                    throw error(e, p, "lgetxattr " + new String(cName, 0, cName.length - 1, StandardCharsets.UTF_8));
                }
            }
        }
    }

    /** Sets each xattr on p itself (not following symlinks); others already present are kept. */
    public static void writeXattrs(Path p, List<Xattr> xs) throws IOException {
        if (xs.isEmpty()) {
            return;
        }
        LibC.require();
        LongPaths.withShortPath(p, s -> writeXattrs(p, cPath(s), xs));
    }

    private static Void writeXattrs(Path p, byte[] path, List<Xattr> xs) throws IOException {
        for (Xattr x : xs) {
            byte[] value = x.value();
            try {
                LibC.lsetxattr(path, cString(x.name().getBytes(StandardCharsets.UTF_8)), value,
                        new NativeLong(value.length), 0);
            } catch (LastErrorException e) {
                throw error(e, p, "lsetxattr " + x.name());
            }
        }
        return null;
    }

    // ---- special files ------------------------------------------------------------------------

    /**
     * Creates a FIFO, a socket node, or (root only) a character or block device with the given
     * permission bits and st_rdev.
     */
    public static void createSpecial(Path p, FileKind kind, int mode, long rdev) throws IOException {
        int type = kind.modeTypeBits();
        if (type < 0 || kind == FileKind.FILE) {
            throw new IllegalArgumentException("not a special file kind: " + kind);
        }
        LibC.require();
        boolean device = kind == FileKind.CHAR_DEVICE || kind == FileKind.BLOCK_DEVICE;
        LongPaths.withShortPath(p, s -> {
            try {
                return LibC.mknod(cPath(s), type | (mode & 07777), device ? rdev : 0);
            } catch (LastErrorException e) {
                throw error(e, p, "mknod");
            }
        });
    }

    // ---- metadata -----------------------------------------------------------------------------

    /**
     * Restores owner, permissions and times of p. Ownership applies to a symlink itself (lchown);
     * when not root, a refused chown (EPERM) is ignored, as restic does. The mode is not applied to
     * symlinks (Linux has no symlink permissions). Times are set with nanoseconds on p itself, so
     * a symlink's target is untouched; a null time is left unchanged.
     */
    public static void restoreMetadata(Path p, FileKind kind, int mode, int uid, int gid, Instant atime, Instant mtime)
            throws IOException {
        LibC.require();
        LongPaths.withShortPath(p, s -> restoreMetadata(p, cPath(s), kind, mode, uid, gid, atime, mtime));
    }

    private static Void restoreMetadata(Path p, byte[] path, FileKind kind, int mode, int uid, int gid, Instant atime,
            Instant mtime) throws IOException {
        try {
            // chown before chmod: chown clears setuid/setgid bits.
            LibC.lchown(path, uid, gid);
        } catch (LastErrorException e) {
            if (!(e.getErrorCode() == LibC.EPERM && LibC.geteuid() != 0)) {
                throw error(e, p, "lchown");
            }
        }
        if (kind != FileKind.SYMLINK) {
            try {
                LibC.chmod(path, mode & 07777);
            } catch (LastErrorException e) {
                throw error(e, p, "chmod");
            }
        }
        if (atime != null || mtime != null) {
            Memory times = new Memory(4L * NativeLong.SIZE);
            setTimespec(times, 0, atime);
            setTimespec(times, 2L * NativeLong.SIZE, mtime);
            try {
                LibC.utimensat(LibC.AT_FDCWD, path, times, LibC.AT_SYMLINK_NOFOLLOW);
            } catch (LastErrorException e) {
                throw error(e, p, "utimensat");
            }
        }
        return null;
    }

    private static void setTimespec(Memory m, long offset, Instant t) {
        // time_t and long share NativeLong's size on LP64 and classic 32-bit Linux ABIs.
        m.setNativeLong(offset, new NativeLong(t == null ? 0 : t.getEpochSecond()));
        m.setNativeLong(offset + NativeLong.SIZE, new NativeLong(t == null ? LibC.UTIME_OMIT : t.getNano()));
    }

    /** O_DIRECTORY and O_NOATIME for this architecture (they differ), or null to use the JDK. */
    private static final int[] DIR_FLAGS = dirFlags();
    private static volatile boolean dirNoatimeRefused;

    private static int[] dirFlags() {
        if (!com.sun.jna.Platform.isLinux()) {
            return null;
        }
        String arch = System.getProperty("os.arch", "");
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            return new int[] {0200000, 01000000};
        }
        if (arch.equals("aarch64") || arch.equals("arm64")) {
            return new int[] {040000, 01000000};
        }
        return null;
    }

    /**
     * The raw names in a directory, without "." and "..", in no particular order. On Linux the
     * directory is opened with O_NOATIME as restic does: listing it then leaves its access time
     * alone, so an unchanged directory gives the same tree in the next backup.
     */
    public static List<byte[]> listNames(Path dir) throws IOException {
        if (DIR_FLAGS == null || LibC.unavailable()) {
            List<byte[]> names = new ArrayList<>();
            try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path child : ds) {
                    names.add(FileNames.nameBytes(child));
                }
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
            return names;
        }
        return LongPaths.withShortPath(dir, s -> listNames(dir, cPath(s)));
    }

    private static List<byte[]> listNames(Path dir, byte[] path) throws IOException {
        int noatime = dirNoatimeRefused ? 0 : DIR_FLAGS[1];
        int fd;
        while (true) {
            try {
                fd = LibC.openat(LibC.AT_FDCWD, path, DIR_FLAGS[0] | 02000000 | noatime);
                break;
            } catch (LastErrorException e) {
                if (e.getErrorCode() == LibC.EPERM && noatime != 0) {
                    noatime = 0; // not the owner: list without it
                    dirNoatimeRefused = LibC.geteuid() != 0;
                } else if (e.getErrorCode() != LibC.EINTR) {
                    throw error(e, dir, "opendir");
                }
            }
        }
        Pointer d;
        try {
            d = LibC.fdopendir(fd);
        } catch (LastErrorException e) {
            LibC.close(fd);
            throw error(e, dir, "fdopendir");
        }
        List<byte[]> names = new ArrayList<>();
        try {
            // struct dirent (glibc, 64-bit): d_ino 8, d_off 8, d_reclen 2, d_type 1, then d_name
            for (Pointer e = LibC.readdir(d); e != null; e = LibC.readdir(d)) {
                long len = e.indexOf(19, (byte) 0);
                byte[] name = e.getByteArray(19, (int) len);
                if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.')) {
                    continue;
                }
                names.add(name);
            }
        } finally {
            LibC.closedir(d);
        }
        return names;
    }

    // ---- helpers --------------------------------------------------------------------------------

    static byte[] cPath(Path p) {
        return cString(FileNames.pathBytesShared(p));
    }

    private static byte[] cString(byte[] b) {
        return Arrays.copyOf(b, b.length + 1);
    }

    /** An IOException shaped like the JDK's for the same errno, naming the path losslessly. */
    static IOException error(LastErrorException e, Path p, String operation) {
        String file = FileNames.display(p);
        int errno = e.getErrorCode();
        String reason = operation + ": " + errnoText(errno);
        IOException io;
        switch (errno) {
            case LibC.ENOENT -> io = new NoSuchFileException(file, null, reason);
            case LibC.EEXIST -> io = new FileAlreadyExistsException(file, null, reason);
            case LibC.EACCES, LibC.EPERM -> io = new AccessDeniedException(file, null, reason);
            case LibC.ENOTDIR -> io = new NotDirectoryException(file);
            default -> io = new FileSystemException(file, null, reason);
        }
        io.initCause(e);
        return io;
    }

    private static String errnoText(int errno) {
        try {
            return LibC.strerror(errno) + " (errno " + errno + ")";
        } catch (RuntimeException | LinkageError e) {
            return "errno " + errno;
        }
    }
}
