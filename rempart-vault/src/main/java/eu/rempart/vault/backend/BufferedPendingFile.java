package eu.rempart.vault.backend;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A file collected in memory and handed over whole on commit, for remote backends when no
 * temporary file can hold it ({@link SpooledPendingFile}): an upload must be repeatable for
 * retries. The bytes sit in 1 MiB blocks, sent from where they are: one growing
 * array cost a copy per doubling and up to twice a pack's size. Blocks come from and go back to
 * the backend's {@link Blocks}.
 */
public final class BufferedPendingFile implements Backend.PendingFile {
    static final int BLOCK = 1 << 20;

    /**
     * The free blocks of one backend's pending files. Without reuse, a backup through a remote
     * store allocated a new 1 MiB array every MiB it uploaded: with bin/rempart's small young
     * generation each one was copied to the old generation, and JFR counted 79 full and 218
     * young collections, 2.9 s of pauses, in one 3 GB backup through REST. The pool never holds
     * more blocks than were in use at once (at most {@code max}), and goes with its backend.
     */
    public static final class Blocks {
        private final int max;
        private final ArrayDeque<byte[]> free = new ArrayDeque<>();

        /** A pool of at most 256 blocks: 16 packs of the default size. */
        public Blocks() {
            this(256);
        }

        Blocks(int max) {
            this.max = max;
        }

        synchronized byte[] take() {
            byte[] b = free.poll();
            return b != null ? b : new byte[BLOCK];
        }

        synchronized void give(List<byte[]> blocks) {
            for (byte[] b : blocks) {
                if (free.size() < max) {
                    free.push(b);
                }
            }
        }

        synchronized int free() {
            return free.size();
        }
    }

    /** Stores {@code content} under {@code name}. */
    public interface Upload {
        void save(String name, Content content) throws IOException;
    }

    /** Bytes to upload, readable any number of times (an upload is retried from the start). */
    public abstract static class Content {
        private final long length;

        Content(long length) {
            this.length = length;
        }

        public static Content of(byte[] data) {
            return new InBlocks(List.of(data), data.length);
        }

        public final long length() {
            return length;
        }

        /** Applies {@code fn(block, offset, length)} to the bytes [from, from + len) in order. */
        abstract void forEach(long from, long len, Chunk fn) throws IOException;

        /** The bytes [from, from + len) as a stream; nothing is read before its first read. */
        public abstract InputStream open(long from, long len);

        interface Chunk {
            void accept(byte[] b, int off, int len) throws IOException;
        }

        public final void writeTo(OutputStream out) throws IOException {
            forEach(0, length(), out::write);
        }

        public final void update(MessageDigest md, long from, long len) throws IOException {
            forEach(from, len, md::update);
        }
    }

    /** Content in memory blocks, sent from where they are. */
    private static final class InBlocks extends Content {
        private final List<byte[]> blocks;

        InBlocks(List<byte[]> blocks, long length) {
            super(length);
            this.blocks = blocks;
        }

        @Override
        void forEach(long from, long len, Chunk fn) throws IOException {
            long pos = 0;
            for (byte[] b : blocks) {
                long end = Math.min(pos + b.length, length());
                long s = Math.max(pos, from);
                long e = Math.min(end, from + len);
                if (s < e) {
                    fn.accept(b, (int) (s - pos), (int) (e - s));
                }
                pos = end;
                if (pos >= from + len) {
                    break;
                }
            }
        }

        /** Without copying the bytes. */
        @Override
        public InputStream open(long from, long len) {
            List<InputStream> parts = new ArrayList<>();
            try {
                forEach(from, len, (b, off, n) -> parts.add(new java.io.ByteArrayInputStream(b, off, n)));
            } catch (IOException e) {
                throw new IllegalStateException(e); // arrays do no I/O
            }
            return new java.io.SequenceInputStream(java.util.Collections.enumeration(parts));
        }
    }

    private final Upload upload;
    private final Blocks pool;
    private final List<byte[]> blocks = new ArrayList<>();
    private long len;

    /** {@code pool}: where blocks are taken from and returned to once the file is committed or dropped. */
    public BufferedPendingFile(Upload upload, Blocks pool) {
        this.upload = upload;
        this.pool = pool;
    }

    @Override
    public void write(byte[] b, int off, int n) {
        while (n > 0) {
            int used = (int) (len % BLOCK);
            if (used == 0 && len / BLOCK == blocks.size()) {
                blocks.add(pool.take());
            }
            byte[] last = blocks.get(blocks.size() - 1);
            int k = Math.min(n, BLOCK - used);
            System.arraycopy(b, off, last, used, k);
            off += k;
            n -= k;
            len += k;
        }
    }

    @Override
    public long size() {
        return len;
    }

    @Override
    public void commit(String name) throws IOException {
        upload.save(name, new InBlocks(List.copyOf(blocks), len));
    }

    /** Returns the blocks to the pool: the upload, retries included, is over when commit returns. */
    @Override
    public void close() {
        pool.give(blocks);
        blocks.clear();
    }
}
