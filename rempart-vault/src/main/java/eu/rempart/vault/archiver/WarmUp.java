package eu.rempart.vault.archiver;

import eu.rempart.vault.fs.FileKind;
import eu.rempart.vault.fs.FileNames;
import eu.rempart.vault.fs.FileStat;
import eu.rempart.vault.fs.FileSystemAccess;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Walks the backup's sources ahead of the backup, with the same system calls (readdir, lstat,
 * listxattr) and code, while the repository key is derived: scrypt keeps one core busy for half a
 * second and the other idle. Afterwards the real walk finds the directory entries and inodes in the
 * kernel's caches and its own code loaded and compiled. Nothing is kept: the walk stops when closed,
 * and its only memory is the stack of directories still to list.
 */
public final class WarmUp implements AutoCloseable {
    private volatile boolean stopped;
    /** Entries looked at so far (written by the walking thread only). */
    private volatile int visited;
    private final Thread thread;

    WarmUp(List<Path> targets, Excludes excludes) {
        thread = new Thread(() -> walk(targets, excludes), "rempart-warmup");
        thread.setDaemon(true);
        thread.start();
    }

    private void walk(List<Path> targets, Excludes excludes) {
        Deque<Path> dirs = new ArrayDeque<>();
        for (Path t : targets) {
            Path p = t.toAbsolutePath().normalize();
            if (visit(p) == FileKind.DIRECTORY) {
                dirs.push(p);
            }
        }
        while (!dirs.isEmpty() && !stopped) {
            Path dir = dirs.pop();
            List<byte[]> names;
            try {
                names = FileSystemAccess.listNames(dir);
            } catch (IOException e) {
                continue; // the backup itself reports it
            }
            for (byte[] name : names) {
                if (stopped) {
                    return;
                }
                Path p = FileNames.resolve(dir, name);
                if (!excludes.isEmpty() && excludes.excluded(Archiver.components(p))) {
                    continue;
                }
                if (visit(p) == FileKind.DIRECTORY) {
                    dirs.push(p);
                }
            }
        }
    }

    /** What the backup asks of every entry; returns its kind, or null if it cannot be read. */
    private FileKind visit(Path p) {
        visited++; // one writer
        try {
            FileStat st = FileSystemAccess.lstat(p);
            if (st.kind() == FileKind.FILE || st.kind() == FileKind.DIRECTORY || st.kind() == FileKind.SYMLINK) {
                FileSystemAccess.readXattrs(p);
            }
            return st.kind();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    int visited() {
        return visited;
    }

    /** Waits for the walk to end (for tests); true if it did. */
    boolean awaitEnd(java.time.Duration d) throws InterruptedException {
        thread.join(d.toMillis());
        return !thread.isAlive();
    }

    /** Stops the walk (at the next entry); does not wait for it. */
    @Override
    public void close() {
        stopped = true;
    }
}
