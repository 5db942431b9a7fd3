package eu.rempart.vault.fs;

import com.sun.nio.file.ExtendedOpenOption;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.HashSet;
import java.util.Set;

/**
 * Large sequential reads and writes with direct I/O (O_DIRECT) where the file system allows it,
 * plain buffered I/O elsewhere (tmpfs, some network file systems).
 *
 * <p>Why: a backup reads and writes gigabytes once. Through the page cache every byte is copied
 * between kernel and user memory, which measured as a third of a backup's CPU time, and it evicts
 * the practice's working files from the cache. Direct I/O moves the bytes straight between the disk
 * and an aligned buffer.
 */
public final class DirectFiles {
    /** Alignment that satisfies both 512-byte and 4 KiB logical block sizes. */
    static final int ALIGN = 4096;
    static final int BUFFER = 1 << 20;
    /**
     * Per-thread pair of aligned read buffers, the one being read and the one filled ahead, each
     * allocated when first needed (allocating direct memory per file costs more than small files
     * take): a thread reads one file at a time. Writers may be handed between threads, so they
     * take theirs from a pool.
     */
    private static final ThreadLocal<ByteBuffer[]> READ_BUFFERS = ThreadLocal.withInitial(() -> new ByteBuffer[2]);
    /**
     * Separate from READ_BUFFERS: a thread may read a pack while it has a source file open. Sized
     * to the largest read the thread made, up to {@link #BUFFER}: the threads that load a backup's
     * parent trees read blobs of a few KiB, and a megabyte each was 4 MiB of native memory.
     */
    private static final ThreadLocal<ByteBuffer> PREAD_BUFFERS = new ThreadLocal<>();
    private static final java.util.concurrent.ConcurrentLinkedQueue<ByteBuffer> WRITE_BUFFERS =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private static volatile boolean disabled = Boolean.getBoolean("rempart.noDirectIo");
    /**
     * Reads ahead and writes behind: with direct I/O the kernel does neither, and a thread that
     * waited for each megabyte to reach or leave the disk left the CPU idle a fifth of a first
     * backup. Each open stream or writer has at most one operation in flight, so there are no more
     * threads than open files.
     */
    private static final java.util.concurrent.ExecutorService IO = new java.util.concurrent.ThreadPoolExecutor(
            0, Integer.MAX_VALUE, 10, java.util.concurrent.TimeUnit.SECONDS,
            new java.util.concurrent.SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "rempart-io");
                t.setDaemon(true);
                return t;
            });

    private DirectFiles() {
    }

    /**
     * Opens a file for one sequential read. On Linux the file is opened with O_NOATIME (as restic
     * does) so a backup leaves access times alone: they are evidence after an incident, and a changed
     * atime would make every directory's tree differ in the next backup.
     */
    public static InputStream newInputStream(Path p) throws IOException {
        if (NativeRead.FLAGS != null && !LibC.unavailable()) {
            return NativeRead.open(p, READ_BUFFERS.get());
        }
        return Files.newInputStream(p);
    }

    /**
     * Reads {@code len} bytes at {@code pos} of a file written once and read rarely (a pack), with
     * direct I/O where available: a restore reads gigabytes of packs that are not read again, and the
     * page cache would copy each byte once more and evict the practice's working files.
     *
     * @throws java.io.EOFException if the file ends before {@code pos + len}
     */
    public static void readAt(Path p, long pos, byte[] dst, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, dst.length);
        if (NativeRead.FLAGS != null && !LibC.unavailable() && !disabled) {
            NativeRead.Fd fd = NativeRead.openFd(p, true);
            try {
                if (fd.direct()) {
                    NativeRead.preadAligned(fd.fd(), p, pos, dst, off, len, preadBuffer(pos, len));
                    return;
                }
            } finally {
                LibC.close(fd.fd());
            }
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            int done = 0;
            while (done < len) {
                // Slices: the JDK copies through a per-thread direct buffer as large as each read.
                int n = ch.read(ByteBuffer.wrap(dst, off + done, Math.min(BUFFER, len - done)), pos + done);
                if (n < 0) {
                    throw new java.io.EOFException(p + ": unexpected end of file");
                }
                done += n;
            }
        }
    }

    /**
     * Opens a file for one sequential write from its start (options as for
     * {@link FileChannel#open(Path, Set, FileAttribute[])}, {@code WRITE} implied).
     */
    public static SequentialWriter newWriter(Path p, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        return newWriter(p, true, options, attrs);
    }

    /**
     * Like {@link #newWriter(Path, Set, FileAttribute[])}; {@code direct} false asks for buffered
     * writes, for many files written by few threads (a restore), where the kernel's write-back
     * overlapping the next file is worth more than the copy it saves.
     */
    public static SequentialWriter newWriter(Path p, boolean direct, Set<? extends OpenOption> options,
            FileAttribute<?>... attrs) throws IOException {
        Set<OpenOption> opts = new HashSet<>(options);
        opts.add(StandardOpenOption.WRITE);
        FileChannel ch = direct ? openDirect(p, opts, attrs) : null;
        if (ch == null) {
            return new SequentialWriter(FileChannel.open(p, opts, attrs), null);
        }
        return new SequentialWriter(ch, writeBuffer());
    }

    /**
     * An empty buffer from the pool. Cleared here, whatever state it came back in: a writer
     * abandoned part-way (a pack dropped after a failed write) returns a half-filled buffer, and a
     * writer taking it as it was wrote the stale bytes ahead of its own.
     */
    private static ByteBuffer writeBuffer() {
        ByteBuffer buf = WRITE_BUFFERS.poll();
        return buf != null ? buf.clear() : allocate();
    }

    /**
     * The result of an {@link #IO} operation, waiting for it even when interrupted: until it is done
     * its buffer and file descriptor are in use.
     */
    private static <T> T await(java.util.concurrent.Future<T> f, Object file) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IOException(file + ": I/O failed", e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static ByteBuffer allocate() {
        return allocate(BUFFER);
    }

    /** An aligned direct buffer of {@code size} bytes, a multiple of {@link #ALIGN}. */
    private static ByteBuffer allocate(int size) {
        return ByteBuffer.allocateDirect(size + ALIGN).alignedSlice(ALIGN);
    }

    /** This thread's buffer for reading {@code len} bytes at {@code pos} in aligned blocks. */
    private static ByteBuffer preadBuffer(long pos, int len) {
        long blocks = (pos % ALIGN + len + ALIGN - 1) / ALIGN * ALIGN;
        int want = (int) Math.min(BUFFER, Math.max(64 << 10, blocks));
        ByteBuffer b = PREAD_BUFFERS.get();
        if (b == null || b.capacity() < want) {
            b = allocate(want);
            PREAD_BUFFERS.set(b);
        }
        return b;
    }

    private static void release(ByteBuffer buf) {
        if (buf != null && WRITE_BUFFERS.size() < 8) {
            WRITE_BUFFERS.offer(buf);
        }
    }

    private static FileChannel openDirect(Path p, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        if (disabled) {
            return null;
        }
        Set<OpenOption> opts = new HashSet<>(options);
        opts.add(ExtendedOpenOption.DIRECT);
        try {
            return FileChannel.open(p, opts, attrs);
        } catch (UnsupportedOperationException e) {
            disabled = true; // this platform has no direct I/O at all
            return null;
        } catch (IOException e) {
            // EINVAL from a file system without O_DIRECT; any other problem shows again without it
            if (options.contains(StandardOpenOption.CREATE_NEW)) {
                Files.deleteIfExists(p);
            }
            return null;
        }
    }

    /** Reading through libc: the JDK cannot open with O_NOATIME. */
    private static final class NativeRead extends InputStream {
        /** O_DIRECT and O_NOATIME differ between architectures; null where not known. */
        static final int[] FLAGS = flags();
        private static final int O_CLOEXEC = 02000000;
        private static volatile boolean noatimeRefused;
        private final Path path;
        private final int fd;
        private final boolean direct;
        /** The calling thread's two buffers: the one being consumed and the one being filled ahead. */
        private final ByteBuffer[] bufs;
        private ByteBuffer buf;
        /** File offset of the block after the one in buf. */
        private long next;
        /** The read of the block at {@code next} into the other buffer, or null. */
        private java.util.concurrent.Future<Long> ahead;
        private boolean eof;
        private boolean closed;

        private static int[] flags() {
            String arch = System.getProperty("os.arch", "");
            if (!com.sun.jna.Platform.isLinux()) {
                return null;
            }
            if (arch.equals("amd64") || arch.equals("x86_64")) {
                return new int[] {040000, 01000000}; // O_DIRECT, O_NOATIME
            }
            if (arch.equals("aarch64") || arch.equals("arm64")) {
                return new int[] {0200000, 01000000};
            }
            return null;
        }

        private NativeRead(Path path, int fd, ByteBuffer[] bufs, boolean direct) {
            this.path = path;
            this.fd = fd;
            this.bufs = bufs;
            this.direct = direct;
            if (bufs[0] == null) {
                bufs[0] = allocate();
            }
            buf = bufs[0];
            buf.clear().limit(0);
        }

        static InputStream open(Path p, ByteBuffer[] bufs) throws IOException {
            Fd fd = openFd(p, !disabled);
            return new NativeRead(p, fd.fd(), bufs, fd.direct());
        }

        record Fd(int fd, boolean direct) {
        }

        /** O_DIRECT when asked and the file system takes it; O_NOATIME when permitted. */
        static Fd openFd(Path p, boolean direct) throws IOException {
            return LongPaths.withShortPath(p, s -> {
                byte[] path = FileSystemAccess.cPath(s);
                int directFlag = direct ? FLAGS[0] : 0;
                int noatime = noatimeRefused ? 0 : FLAGS[1];
                while (true) {
                    try {
                        int fd = LibC.openat(LibC.AT_FDCWD, path, O_CLOEXEC | directFlag | noatime);
                        return new Fd(fd, directFlag != 0);
                    } catch (com.sun.jna.LastErrorException e) {
                        if (e.getErrorCode() == LibC.EPERM && noatime != 0) {
                            noatime = 0; // O_NOATIME needs ownership (or root): read without it
                            noatimeRefused = LibC.geteuid() != 0;
                        } else if (e.getErrorCode() == LibC.EINVAL && directFlag != 0) {
                            directFlag = 0; // this file system has no direct I/O
                        } else if (e.getErrorCode() == LibC.EINTR) {
                            continue;
                        } else {
                            throw FileSystemAccess.error(e, p, "open");
                        }
                    }
                }
            });
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!buf.hasRemaining()) {
                if (eof) {
                    return -1;
                }
                long n;
                if (ahead == null) {
                    n = pread(buf, next);
                } else {
                    n = awaitAhead();
                    buf = buf == bufs[0] ? bufs[1] : bufs[0];
                }
                if (n <= 0) {
                    eof = true;
                    buf.limit(0);
                    return -1;
                }
                next += n;
                // A short, unaligned direct read only happens at the end of the file; otherwise the
                // next block is read at once (past the end that read finds nothing).
                if (direct && n % ALIGN != 0) {
                    eof = true;
                } else {
                    readAhead();
                }
                buf.clear().limit((int) n);
            }
            int n = Math.min(len, buf.remaining());
            buf.get(b, off, n);
            return n;
        }

        private long pread(ByteBuffer into, long at) throws IOException {
            return pread(fd, path, into, into.capacity(), at);
        }

        /** pread(2) of {@code count} bytes at {@code at} into {@code into}, retried when interrupted. */
        private static long pread(int fd, Path p, ByteBuffer into, long count, long at) throws IOException {
            com.sun.jna.Pointer base = com.sun.jna.Native.getDirectBufferPointer(into);
            while (true) {
                try {
                    return LibC.pread(fd, base, new com.sun.jna.NativeLong(count), at).longValue();
                } catch (com.sun.jna.LastErrorException e) {
                    if (e.getErrorCode() != LibC.EINTR) {
                        throw FileSystemAccess.error(e, p, "read");
                    }
                }
            }
        }

        private void readAhead() {
            ByteBuffer other = buf == bufs[0] ? bufs[1] : bufs[0];
            if (other == null) {
                other = bufs[1] = allocate();
            }
            ByteBuffer into = other;
            long at = next;
            ahead = IO.submit(() -> pread(into, at));
        }

        /** The length the read ahead got; it must be done before its buffer or the descriptor is touched. */
        private long awaitAhead() throws IOException {
            java.util.concurrent.Future<Long> f = ahead;
            ahead = null;
            return await(f, path);
        }

        /**
         * Reads the aligned blocks around [pos, pos + len) into {@code buf} and copies the bytes
         * asked for: direct I/O wants offsets, lengths and memory aligned to the block size.
         */
        static void preadAligned(int fd, Path p, long pos, byte[] dst, int off, int len, ByteBuffer buf)
                throws IOException {
            long end = pos + len;
            long at = pos;
            while (at < end) {
                long start = at - (at % ALIGN);
                long want = Math.min(buf.capacity(), ((end - start + ALIGN - 1) / ALIGN) * ALIGN);
                long n = pread(fd, p, buf, want, start);
                long got = Math.min(start + n, end) - at;
                if (got <= 0) {
                    throw new java.io.EOFException(p + ": unexpected end of file");
                }
                buf.get((int) (at - start), dst, off + (int) (at - pos), (int) got);
                at += got;
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                if (ahead != null) {
                    try {
                        awaitAhead();
                    } catch (IOException e) {
                        // the stream is being closed: nobody wants those bytes
                    }
                }
                LibC.close(fd);
            }
        }
    }

    /**
     * A file written front to back. With direct I/O, bytes collect in an aligned buffer written a
     * megabyte at a time; {@link #finish} pads the last block and truncates the file to its length.
     */
    public static final class SequentialWriter implements AutoCloseable {
        private final FileChannel ch;
        /** The buffer being filled; with direct I/O only (null otherwise). */
        private ByteBuffer buf;
        /** The other buffer: being written behind, or free; null until a second one is needed. */
        private ByteBuffer spare;
        /** The write of {@link #spare} in flight, or null. */
        private java.util.concurrent.Future<Void> behind;
        /** File offset where {@link #buf}'s content goes. */
        private long written;
        private long size;
        private boolean finished;

        SequentialWriter(FileChannel ch, ByteBuffer buf) {
            this.ch = ch;
            this.buf = buf;
            if (buf != null) {
                buf.clear();
            }
        }

        public void write(byte[] b, int off, int len) throws IOException {
            size += len;
            if (buf == null) {
                // Slices keep the JDK's per-thread temporary direct buffer small.
                for (int done = 0; done < len; ) {
                    done += ch.write(ByteBuffer.wrap(b, off + done, Math.min(256 * 1024, len - done)));
                }
                return;
            }
            while (len > 0) {
                int n = Math.min(len, buf.remaining());
                buf.put(b, off, n);
                off += n;
                len -= n;
                if (!buf.hasRemaining()) {
                    writeBehind();
                }
            }
        }

        /** Hands the full buffer to {@link #IO} and goes on with the other one. */
        private void writeBehind() throws IOException {
            awaitBehind();
            ByteBuffer full = buf;
            buf = spare != null ? spare : writeBuffer();
            spare = full;
            long at = written;
            written += full.position();
            full.flip();
            behind = IO.submit(() -> {
                writeFully(full, at);
                return null;
            });
        }

        private void awaitBehind() throws IOException {
            if (behind != null) {
                java.util.concurrent.Future<Void> f = behind;
                behind = null;
                await(f, ch);
            }
        }

        private void writeFully(ByteBuffer b, long at) throws IOException {
            while (b.hasRemaining()) {
                at += ch.write(b, at);
            }
            b.clear();
        }

        public long size() {
            return size;
        }

        /** Writes what is buffered; the file then has exactly {@link #size()} bytes. */
        public void finish() throws IOException {
            if (finished) {
                return;
            }
            finished = true;
            if (buf == null) {
                return;
            }
            awaitBehind();
            if (buf.position() > 0) {
                int tail = buf.position();
                int padded = (tail + ALIGN - 1) / ALIGN * ALIGN;
                while (buf.position() < padded) {
                    buf.put((byte) 0);
                }
                buf.flip();
                writeFully(buf, written);
            }
            ch.truncate(size);
        }

        /** {@link #finish()}, then makes the content durable. */
        public void force() throws IOException {
            finish();
            ch.force(true);
        }

        @Override
        public void close() throws IOException {
            try {
                finish();
            } finally {
                closeChannel();
            }
        }

        /** Closes without writing what is buffered, for a file about to be deleted. */
        public void abandon() throws IOException {
            finished = true;
            closeChannel();
        }

        private void closeChannel() throws IOException {
            if (ch.isOpen()) {
                try {
                    awaitBehind();
                } catch (IOException e) {
                    // closing: whoever wanted those bytes has had finish() fail already, or gave up
                } finally {
                    ch.close();
                    release(buf);
                    release(spare);
                }
            }
        }
    }
}
