package eu.rempart.vault.backend;

import eu.rempart.vault.FileType;

import java.io.EOFException;
import java.io.IOException;
import java.util.Objects;

/**
 * {@link Backend#readSequential} for remote stores: fetches up to {@link #SIZE} bytes at once and
 * serves the following reads of the same file from them. A check streams every pack blob by
 * blob, and one request per blob would spend more time in round trips than in transfer. One
 * window per thread, in a buffer the thread reuses: a fresh 8 MiB array per request made the
 * small young generation collect, and copy live windows, every other request.
 */
public final class ReadAhead {
    public static final int SIZE = 8 << 20;

    /** The bytes [start, start + length) of one file, in data[0, length). */
    private record Window(FileType type, String name, long start, byte[] data, int length) {
        boolean covers(FileType t, String n, long offset, int len) {
            return type == t && name.equals(n) && offset >= start && offset + len <= start + length;
        }
    }

    private final Backend backend;
    private final ThreadLocal<Window> windows = new ThreadLocal<>();

    /** @param backend whose {@link Backend#readUpTo} fetches the windows */
    public ReadAhead(Backend backend) {
        this.backend = backend;
    }

    public void read(FileType type, String name, long offset, byte[] dst, int dstOff, int length) throws IOException {
        Objects.checkFromIndexSize(dstOff, length, dst.length);
        Window w = windows.get();
        if (w == null || !w.covers(type, name, offset, length)) {
            windows.remove();
            byte[] buf = w != null && w.data().length >= length ? w.data() : new byte[Math.max(length, SIZE)];
            int n = backend.readUpTo(type, name, offset, buf, 0, Math.max(length, SIZE));
            w = new Window(type, name, offset, buf, n);
            if (!w.covers(type, name, offset, length)) {
                throw new EOFException(type.dir() + "/" + name + ": " + n + " bytes at " + offset
                        + " instead of " + length);
            }
            windows.set(w);
        }
        System.arraycopy(w.data(), (int) (offset - w.start()), dst, dstOff, length);
    }

    /** Forgets this thread's window of a file that was removed. */
    public void forget(FileType type, String name) {
        Window w = windows.get();
        if (w != null && w.type() == type && w.name().equals(name)) {
            windows.set(new Window(null, "", 0, w.data(), 0)); // keeps the buffer
        }
    }
}
