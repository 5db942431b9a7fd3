package eu.rempart.sentinel.watch;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Linux fanotify, used for one thing inotify cannot tell: which process wrote a file. Directory marks
 * with FAN_EVENT_ON_CHILD report FAN_CLOSE_WRITE of the files in each watched folder with the
 * writer's pid. Needs CAP_SYS_ADMIN (the service runs as root); without it the watcher falls back
 * to inotify plus a /proc scan at alert time.
 */
final class Fanotify implements Closeable {
    private static final int FAN_CLOEXEC = 0x1;
    private static final int FAN_UNLIMITED_QUEUE = 0x10;
    private static final int FAN_MARK_ADD = 0x1;
    static final long FAN_CLOSE_WRITE = 0x8;
    private static final long FAN_Q_OVERFLOW = 0x4000;
    private static final long FAN_EVENT_ON_CHILD = 0x08000000L;
    private static final int O_LARGEFILE = 0x8000;
    private static final int O_CLOEXEC = 0x80000;
    private static final int AT_FDCWD = -100;
    private static final int POLLIN = 1;
    private static final int METADATA_LEN = 24;

    private static final Throwable LOAD_FAILURE;

    static {
        Throwable failure = null;
        try {
            if (!Platform.isLinux()) {
                throw new UnsupportedOperationException("fanotify is Linux only");
            }
            Native.register(Fanotify.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        } catch (Throwable t) {
            failure = t;
        }
        LOAD_FAILURE = failure;
    }

    private static native int fanotify_init(int flags, int eventFlags) throws LastErrorException;

    private static native int fanotify_mark(int fd, int flags, long mask, int dirFd, byte[] path) throws LastErrorException;

    private static native NativeLong read(int fd, Pointer buf, NativeLong count) throws LastErrorException;

    private static native int poll(Pointer fds, NativeLong nfds, int timeout) throws LastErrorException;

    private static native int close(int fd);

    private static native int setpriority(int which, int who, int prio) throws LastErrorException;

    private static native int sched_setscheduler(int pid, int policy, int[] param) throws LastErrorException;

    private static final int SCHED_FIFO = 1;
    private static final int SCHED_RESET_ON_FORK = 0x40000000;

    private static native int name_to_handle_at(int dirFd, byte[] path, Pointer handle, Pointer mountId, int flags) throws LastErrorException;

    private static native int statfs(byte[] path, Pointer buf) throws LastErrorException;

    /**
     * Gives the calling thread a higher scheduling priority (nice -10) when permitted: the attacker
     * competes for the same cores, and every millisecond of delay is files lost.
     */
    static void raiseThreadPriority() {
        if (LOAD_FAILURE != null) {
            return;
        }
        try {
            String self = Path.of("/proc/thread-self").toRealPath().getFileName().toString();
            setpriority(0, Integer.parseInt(self), -10); // PRIO_PROCESS with a thread id: that thread only
        } catch (IOException | RuntimeException e) {
            // not root, or not Linux: normal priority
        }
    }

    /**
     * Makes the calling thread real-time (SCHED_FIFO, lowest priority) when permitted, so that an
     * event wakes it at once instead of after the attacker's time slice: with nice -10 alone, a
     * rename judged on a busy 2-core machine still waited 2–4 ms for a core, 10–20 more files. Only
     * for a thread that sleeps in read(2) and does microseconds of work per event: the kernel keeps
     * 5 % of each second for other threads whatever happens. @return whether it was granted
     */
    static boolean realtimeThread() {
        if (LOAD_FAILURE != null) {
            return false;
        }
        try {
            // The calling thread: SCHED_FIFO, priority 1. SCHED_RESET_ON_FORK: threads and processes
            // it starts (a reporter thread, the --on-alert command, nft) run normally.
            sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, new int[] {1});
            return true;
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            return false; // no CAP_SYS_NICE: nice -10 below still applies
        }
    }

    /** One write, as fanotify reports it. */
    record Write(Path file, long pid) {
    }

    interface Sink {
        void write(Write w);

        /** A name created, deleted or renamed in a watched folder, and by whom (name mode only). */
        default void named(String name, long pid) {
        }

        /** A file renamed, with both names, as one event (name mode, Linux 5.17+). */
        default void renamed(Path from, Path to, long pid) {
        }

        void overflow();
    }

    private static final int FAN_REPORT_DFID_NAME = 0x400 | 0x800;
    private static final long FAN_MOVED_FROM = 0x40;
    private static final long FAN_MOVED_TO = 0x80;
    private static final long FAN_CREATE = 0x100;
    private static final long FAN_DELETE = 0x200;
    private static final long FAN_RENAME = 0x10000000L;
    private static final int INFO_DFID_NAME = 2;
    private static final int INFO_OLD_DFID_NAME = 10;
    private static final int INFO_NEW_DFID_NAME = 12;
    private static final int MAX_HANDLE_SZ = 128;
    private static final int EINVAL = 22;

    private final int fd;
    /** Reports directory entries (renames, deletions) with names instead of written files. */
    private final boolean names;
    private final Memory buffer = new Memory(64 * 1024);
    private final Memory pollFd = new Memory(8);
    /**
     * The watched folders by the identity fanotify reports (filesystem id and file handle), so a
     * rename event names full paths without asking the file system. Filled by mark(), read by loop().
     */
    private final java.util.Map<String, Path> folders = new java.util.concurrent.ConcurrentHashMap<>();
    /** Whether the kernel reports renames as one event with both names (FAN_RENAME); else only MOVED_FROM/TO. */
    private volatile boolean renameEvents = true;
    private volatile boolean closed;

    private Fanotify(int fd, boolean names) {
        this.fd = fd;
        this.names = names;
    }

    /** Opens an fanotify group, or returns null with the reason in {@code why[0]} when not permitted. */
    static Fanotify open(String[] why) {
        if (LOAD_FAILURE != null) {
            why[0] = LOAD_FAILURE.toString();
            return null;
        }
        try {
            return new Fanotify(fanotify_init(FAN_CLOEXEC | FAN_UNLIMITED_QUEUE, O_LARGEFILE | O_CLOEXEC), false);
        } catch (LastErrorException e) {
            why[0] = "fanotify_init: errno " + e.getErrorCode() + (e.getErrorCode() == 1 ? " (needs root)" : "");
            return null;
        }
    }

    /**
     * A second group that tells who renames and deletes (Linux 5.9+: directory events with names);
     * null when the kernel or the permissions do not allow it.
     */
    static Fanotify openNames() {
        if (LOAD_FAILURE != null) {
            return null;
        }
        try {
            return new Fanotify(fanotify_init(FAN_CLOEXEC | FAN_UNLIMITED_QUEUE | FAN_REPORT_DFID_NAME, O_LARGEFILE | O_CLOEXEC), true);
        } catch (LastErrorException e) {
            return null;
        }
    }

    /** Watches the files directly inside this folder. */
    void mark(Path dir) throws IOException {
        byte[] path = (dir.toString() + '\0').getBytes(StandardCharsets.UTF_8);
        try {
            if (!names) {
                fanotify_mark(fd, FAN_MARK_ADD, FAN_CLOSE_WRITE | FAN_EVENT_ON_CHILD, AT_FDCWD, path);
                return;
            }
            // creations too: a ransom note seen first by inotify is attributed through its name
            long mask = FAN_CREATE | FAN_MOVED_FROM | FAN_MOVED_TO | FAN_DELETE;
            if (renameEvents) {
                String id = identity(path);
                try {
                    fanotify_mark(fd, FAN_MARK_ADD, mask | FAN_RENAME, AT_FDCWD, path);
                    if (id != null) {
                        folders.put(id, dir);
                    }
                    return;
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != EINVAL) {
                        throw e;
                    }
                    renameEvents = false; // before Linux 5.17
                }
            }
            fanotify_mark(fd, FAN_MARK_ADD, mask, AT_FDCWD, path);
        } catch (LastErrorException e) {
            throw new IOException("fanotify_mark " + dir + ": errno " + e.getErrorCode());
        }
    }

    /**
     * A folder's identity as fanotify reports it: filesystem id, handle type and handle bytes (what
     * statfs and name_to_handle_at give). Null when the filesystem has no handles.
     */
    private static String identity(byte[] path) {
        try (Memory stat = new Memory(256); Memory handle = new Memory(8 + MAX_HANDLE_SZ); Memory mount = new Memory(4)) {
            statfs(path, stat);
            handle.setInt(0, MAX_HANDLE_SZ);
            name_to_handle_at(AT_FDCWD, path, handle, mount, 0);
            int bytes = handle.getInt(0);
            // struct statfs on 64-bit Linux: seven 8-byte fields, then f_fsid
            return identity(stat.getLong(56), handle.getInt(4), handle.getByteArray(8, bytes));
        } catch (LastErrorException e) {
            return null;
        }
    }

    private static String identity(long fsid, int handleType, byte[] handle) {
        return Long.toHexString(fsid) + ':' + handleType + ':' + java.util.HexFormat.of().formatHex(handle);
    }

    /** Reads events until closed; runs on its own thread. */
    void loop(Sink sink) {
        raiseThreadPriority();
        pollFd.setInt(0, fd);
        while (!closed) {
            pollFd.setShort(4, (short) POLLIN);
            pollFd.setShort(6, (short) 0);
            int ready;
            try {
                ready = poll(pollFd, new NativeLong(1), 250);
            } catch (LastErrorException e) {
                continue; // EINTR
            }
            if (ready <= 0 || closed) {
                continue;
            }
            long n;
            try {
                n = read(fd, buffer, new NativeLong(buffer.size())).longValue();
            } catch (LastErrorException e) {
                continue;
            }
            for (long off = 0; off + METADATA_LEN <= n; ) {
                int len = buffer.getInt(off);
                int metaLen = buffer.getShort(off + 6) & 0xFFFF;
                long mask = buffer.getLong(off + 8);
                if (names && len > metaLen) {
                    if ((mask & FAN_RENAME) != 0) {
                        renamed(off + metaLen, off + len, buffer.getInt(off + 20), sink);
                    } else {
                        String name = entryName(off + metaLen, off + len);
                        if (name != null) {
                            sink.named(name, buffer.getInt(off + 20));
                        }
                    }
                }
                int eventFd = buffer.getInt(off + 16);
                int pid = buffer.getInt(off + 20);
                if ((mask & FAN_Q_OVERFLOW) != 0) {
                    sink.overflow();
                }
                if (eventFd >= 0) {
                    try {
                        String file = Files.readSymbolicLink(Path.of("/proc/self/fd/" + eventFd)).toString();
                        if (!file.endsWith(" (deleted)")) {
                            sink.write(new Write(Path.of(file), pid));
                        }
                    } catch (IOException e) {
                        // deleted before we looked: inotify reports the deletion
                    } finally {
                        close(eventFd);
                    }
                }
                if (len < METADATA_LEN) {
                    break;
                }
                off += len;
            }
        }
    }

    /** The name in the event's DFID_NAME info record, or null. */
    private String entryName(long from, long end) {
        long p = record(from, end, INFO_DFID_NAME);
        return p < 0 ? null : recordName(p);
    }

    /** A FAN_RENAME event: OLD_DFID_NAME and NEW_DFID_NAME records; both folders must be watched ones. */
    private void renamed(long from, long end, long pid, Sink sink) {
        long old = record(from, end, INFO_OLD_DFID_NAME);
        long now = record(from, end, INFO_NEW_DFID_NAME);
        if (old < 0 || now < 0) {
            return;
        }
        String oldName = recordName(old);
        String newName = recordName(now);
        sink.named(oldName, pid);
        sink.named(newName, pid);
        Path oldDir = folders.get(recordFolder(old));
        Path newDir = folders.get(recordFolder(now));
        if (oldDir != null && newDir != null) {
            sink.renamed(oldDir.resolve(oldName), newDir.resolve(newName), pid);
        }
    }

    /** The offset of the first info record of this type, or -1. */
    private long record(long from, long end, int wanted) {
        for (long p = from; p + 4 <= end; ) {
            int type = buffer.getByte(p) & 0xFF;
            int len = buffer.getShort(p + 2) & 0xFFFF;
            if (len < 4) {
                return -1;
            }
            if (type == wanted) {
                return p;
            }
            p += len;
        }
        return -1;
    }

    /** A name record is: header (4), fsid (8), file handle (4 + 4 + bytes), then the NUL-terminated name. */
    private String recordName(long p) {
        int len = buffer.getShort(p + 2) & 0xFFFF;
        long nameAt = p + 20 + buffer.getInt(p + 12);
        int n = 0;
        while (nameAt + n < p + len && buffer.getByte(nameAt + n) != 0) {
            n++;
        }
        return new String(buffer.getByteArray(nameAt, n), StandardCharsets.UTF_8);
    }

    private String recordFolder(long p) {
        int handleBytes = buffer.getInt(p + 12);
        return identity(buffer.getLong(p + 4), buffer.getInt(p + 16), buffer.getByteArray(p + 20, handleBytes));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            // the reader polls with a timeout and sees the flag; close the group after it has left
        }
    }

    /** Releases the descriptor; call after the reader thread ended. */
    void release() {
        close(fd);
    }
}
