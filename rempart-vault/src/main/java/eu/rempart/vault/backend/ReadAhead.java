package eu.rempart.vault.backend;

import eu.rempart.vault.FileType;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * {@link Backend#readSequential} for remote stores: asks for up to {@link #SIZE} bytes at once and
 * serves the following reads of the same file from that response as it arrives. A check streams
 * every pack blob by blob, and one request per blob would spend more time in round trips than in
 * transfer. Each thread reads its own response straight into the caller's buffer: holding the
 * ranges in memory instead cost an 8 MiB window per thread, and a copy of every byte.
 */
public final class ReadAhead {
    /** Bytes asked for per request: a whole pack, usually. */
    public static final int SIZE = 32 << 20;
    /** A gap up to this size is read through; a larger one, or a step back, asks again. */
    static final int MAX_SKIP = 1 << 20;
    /** Attempts at a read whose response breaks off (requests themselves are retried by the backend). */
    static final int ATTEMPTS = 3;

    /**
     * A response being read: its body holds {@code length} bytes (fewer than asked only where the
     * file ends). {@code abort} drops the connection of a body left unread, so that neither side
     * transfers the rest for nothing.
     */
    public record Range(InputStream body, long length, Runnable abort) {
    }

    /** Starts a ranged read of a remote file. */
    @FunctionalInterface
    public interface Opener {
        /**
         * Opens the bytes [offset, offset + length) of a file, or those before its end.
         *
         * @throws EOFException if the file ends at or before {@code offset}
         */
        Range open(FileType type, String name, long offset, long length) throws IOException;
    }

    /** One thread's open response: the next byte it delivers is at {@code pos} of the file. */
    private static final class Stream {
        final FileType type;
        final String name;
        final Range range;
        final long end;
        long pos;

        Stream(FileType type, String name, long start, Range range) {
            this.type = type;
            this.name = name;
            this.range = range;
            this.pos = start;
            this.end = start + range.length();
        }

        boolean serves(FileType t, String n, long offset, int len) {
            return type == t && name.equals(n) && offset >= pos && offset - pos <= MAX_SKIP && offset + len <= end;
        }

        void close() {
            if (pos < end) {
                range.abort().run();
            }
            try {
                range.body().close();
            } catch (IOException ignored) {
                // the connection is gone either way
            }
        }
    }

    private final Opener opener;
    private final ThreadLocal<Stream> streams = new ThreadLocal<>();

    public ReadAhead(Opener opener) {
        this.opener = opener;
    }

    public void read(FileType type, String name, long offset, byte[] dst, int dstOff, int length) throws IOException {
        read(type, name, offset, dst, dstOff, length, offset + SIZE);
    }

    /** Reads, asking the store (when a new request is needed) for the bytes up to {@code until}. */
    public void read(FileType type, String name, long offset, byte[] dst, int dstOff, int length, long until)
            throws IOException {
        Objects.checkFromIndexSize(dstOff, length, dst.length);
        if (length == 0) {
            return;
        }
        Stream s = streams.get();
        if (s != null && !s.serves(type, name, offset, length)) {
            drop(s);
            s = null;
        }
        for (int attempt = 1; ; attempt++) {
            if (s == null) {
                Range r = opener.open(type, name, offset, Math.max(length, until - offset));
                s = new Stream(type, name, offset, r);
                streams.set(s);
                if (s.end < offset + length) {
                    drop(s);
                    throw new EOFException(type.dir() + "/" + name + ": " + r.length() + " bytes at " + offset
                            + " instead of " + length);
                }
            }
            try {
                s.range.body().skipNBytes(offset - s.pos);
                s.pos = offset;
                int n = s.range.body().readNBytes(dst, dstOff, length);
                s.pos += n;
                if (n < length) {
                    throw new EOFException("response ended " + (s.end - s.pos) + " bytes early");
                }
            } catch (IOException e) {
                drop(s);
                s = null;
                if (attempt >= ATTEMPTS) {
                    throw new IOException("reading " + type.dir() + "/" + name + ": " + e.getMessage(), e);
                }
                continue;
            }
            if (s.pos == s.end) {
                drop(s); // all read: the connection goes back to the pool
            }
            return;
        }
    }

    /** Closes this thread's response if it is of a file that was removed. */
    public void forget(FileType type, String name) {
        Stream s = streams.get();
        if (s != null && s.type == type && s.name.equals(name)) {
            drop(s);
        }
    }

    private void drop(Stream s) {
        streams.remove();
        s.close();
    }
}
