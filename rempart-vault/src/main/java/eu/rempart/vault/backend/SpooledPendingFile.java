package eu.rempart.vault.backend;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file for a remote store, written to a temporary file and uploaded from it on commit, as restic
 * does: a pack's name is its hash, known only once it is complete, and holding packs in memory
 * until uploaded cost a first backup through REST 55 MiB more than a local one. The file gets
 * owner-only permissions, holds only what the pack holds (encrypted blobs) and is unlinked as
 * soon as it is open where the system allows it (elsewhere when closed), so a killed process
 * leaves nothing behind on Unix. If no temporary file can be created, or the disk fills while
 * writing, the rest is kept in memory ({@link BufferedPendingFile}): the backup goes on.
 */
public final class SpooledPendingFile implements Backend.PendingFile {
    /**
     * Bytes per read or write system call. Larger calls would make the JDK keep a temporary direct
     * buffer of their size for every thread that made one.
     */
    static final int PIECE = 256 << 10;

    private final BufferedPendingFile.Upload upload;
    private final BufferedPendingFile.Blocks pool;
    private FileChannel file; // null once the bytes are in memory
    private BufferedPendingFile memory;
    private long len;

    /**
     * Spools to java.io.tmpdir (bin/rempart sets it from TMPDIR, where restic spools).
     *
     * @param pool where memory blocks come from if the file cannot hold the bytes
     */
    public SpooledPendingFile(BufferedPendingFile.Upload upload, BufferedPendingFile.Blocks pool) {
        this(Path.of(System.getProperty("java.io.tmpdir")), upload, pool);
    }

    /** @param dir where the temporary file goes */
    SpooledPendingFile(Path dir, BufferedPendingFile.Upload upload, BufferedPendingFile.Blocks pool) {
        this.upload = upload;
        this.pool = pool;
        try {
            file = open(dir);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            memory = new BufferedPendingFile(upload, pool);
        }
    }

    private static FileChannel open(Path dir) throws IOException {
        Path p = Files.createTempFile(dir, "rempart-pack-", ".tmp"); // rw------- on POSIX systems
        FileChannel ch;
        try {
            ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.DELETE_ON_CLOSE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(p);
            throw e;
        }
        try {
            Files.delete(p); // the open channel keeps the bytes; Windows refuses, DELETE_ON_CLOSE acts there
        } catch (IOException ignored) {
            // removed on close instead
        }
        return ch;
    }

    /** Whether the bytes go to a temporary file (false: in memory, from the start or since a write failed). */
    boolean spooled() {
        return file != null;
    }

    @Override
    public void write(byte[] b, int off, int n) throws IOException {
        java.util.Objects.checkFromIndexSize(off, n, b.length);
        if (file != null) {
            try {
                while (n > 0) {
                    int k = file.write(ByteBuffer.wrap(b, off, Math.min(n, PIECE)), len);
                    off += k;
                    n -= k;
                    len += k;
                }
                return;
            } catch (IOException e) {
                toMemory(); // a full disk: what the file holds moves to memory
            }
        }
        memory.write(b, off, n);
        len += n;
    }

    private void toMemory() throws IOException {
        BufferedPendingFile m = new BufferedPendingFile(upload, pool);
        try {
            new InFile(file, len).forEach(0, len, m::write);
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
        memory = m;
        closeFile();
    }

    private void closeFile() throws IOException {
        FileChannel f = file;
        file = null;
        if (f != null) {
            f.close();
        }
    }

    @Override
    public long size() {
        return len;
    }

    @Override
    public void commit(String name) throws IOException {
        if (file == null) {
            memory.commit(name);
        } else {
            upload.save(name, new InFile(file, len));
        }
    }

    @Override
    public void close() throws IOException {
        try {
            closeFile();
        } finally {
            if (memory != null) {
                memory.close();
            }
        }
    }

    /** The first {@code length} bytes of an open file, read in pieces by position. */
    private static final class InFile extends BufferedPendingFile.Content {
        private final FileChannel file;

        InFile(FileChannel file, long length) {
            super(length);
            this.file = file;
        }

        @Override
        void forEach(long from, long n, Chunk fn) throws IOException {
            byte[] buf = new byte[(int) Math.min(PIECE, Math.max(1, n))];
            for (long pos = from, end = from + n; pos < end; ) {
                int k = readAt(pos, buf, 0, (int) Math.min(buf.length, end - pos));
                fn.accept(buf, 0, k);
                pos += k;
            }
        }

        /** Reads at least one byte; the file holds at least {@code length} bytes. */
        private int readAt(long pos, byte[] b, int off, int n) throws IOException {
            int k = file.read(ByteBuffer.wrap(b, off, n), pos);
            if (k <= 0) {
                throw new java.io.EOFException("temporary file ended at " + pos + " of " + length() + " bytes");
            }
            return k;
        }

        /** Buffered: an HTTP client may read a few KiB at a time, and each read here is a system call. */
        @Override
        public InputStream open(long from, long n) {
            return new java.io.BufferedInputStream(unbuffered(from, n), (int) Math.min(PIECE, Math.max(1, n)));
        }

        private InputStream unbuffered(long from, long n) {
            return new InputStream() {
                private long pos = from;
                private final long end = from + n;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    java.util.Objects.checkFromIndexSize(off, len, b.length);
                    if (len == 0) {
                        return 0;
                    }
                    if (pos >= end) {
                        return -1;
                    }
                    int k = readAt(pos, b, off, (int) Math.min(Math.min(len, PIECE), end - pos));
                    pos += k;
                    return k;
                }

                @Override
                public long skip(long k) {
                    long s = Math.max(0, Math.min(k, end - pos));
                    pos += s;
                    return s;
                }

                @Override
                public int available() {
                    return (int) Math.min(Integer.MAX_VALUE, end - pos);
                }
            };
        }
    }
}
