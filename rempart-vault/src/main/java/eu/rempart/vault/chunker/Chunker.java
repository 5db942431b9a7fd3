package eu.rempart.vault.chunker;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Content-defined chunker producing exactly restic's chunk boundaries (github.com/restic/chunker v0.4.0) for
 * the same polynomial: a Rabin fingerprint over a 64-byte window, cut where its low 20 bits are zero, with
 * chunks between {@link #MIN_SIZE} and {@link #MAX_SIZE} bytes.
 *
 * <p>Like restic, each chunk starts from a fresh window (all zero, then the byte 1 slid in) and does not hash
 * its first {@code MIN_SIZE - 64} bytes. Not thread-safe; reuse one instance per thread.
 */
public final class Chunker {
    public static final int MIN_SIZE = 512 * 1024, MAX_SIZE = 8 * 1024 * 1024;
    static final int WINDOW = 64;
    static final long SPLIT_MASK = (1L << 20) - 1;
    /** Bytes asked of the stream per read. */
    private static final int READ_SIZE = 1024 * 1024;
    /**
     * The buffer starts small and grows (up to a maximal chunk plus a read) only when a chunk needs
     * it, so a chunk is always contiguous but typical chunks (about 1 MiB) keep memory low.
     */
    private static final int INITIAL_BUFFER = 2 * MIN_SIZE + READ_SIZE, MAX_BUFFER = MAX_SIZE + READ_SIZE;

    private final Tables tables;
    /** Digest after a fresh window has had the byte 1 slid in, as restic's reset() leaves it. */
    private final long initialDigest;

    private byte[] buf;
    private InputStream in;
    /** Start of the current chunk in buf, and end of the buffered data. */
    private int start, end;
    /** Start of the chunk last returned. */
    private int chunkStart;
    private boolean eof;

    public Chunker(Polynomial pol) {
        int k = pol.degree();
        if (k <= 8 || k > Polynomial.DEGREE) {
            throw new IllegalArgumentException("chunker polynomial must have a degree in 9..53, got " + k);
        }
        this.tables = Tables.of(pol);
        // slide(1) on an all-zero window: the byte sliding out is 0, whose out-table entry is 0.
        this.initialDigest = (0L << 8 | 1) ^ tables.mod[0];
    }

    /** Starts splitting a new stream; the previous one is forgotten (not closed). */
    public void reset(InputStream in) {
        if (buf == null) {
            buf = new byte[INITIAL_BUFFER];
        }
        this.in = in;
        start = 0;
        end = 0;
        eof = false;
    }

    /** The next chunk as a new array of exactly its length, or null at end of stream. */
    public byte[] next() throws IOException {
        int n = advance();
        return n < 0 ? null : Arrays.copyOfRange(buf, chunkStart, chunkStart + n);
    }

    /**
     * Finds the next chunk without copying it: it lies in {@link #array()} at {@link #offset()},
     * valid until the next call.
     *
     * @return its length, or -1 at end of stream
     */
    public int advance() throws IOException {
        if (in == null) {
            throw new IllegalStateException("reset(InputStream) not called");
        }
        while (end - start <= MIN_SIZE && !eof) {
            fill();
        }
        int avail = end - start;
        if (avail == 0) {
            return -1;
        }
        if (avail <= MIN_SIZE) {
            // Too short to contain a cut point: restic returns the rest as one chunk.
            return cut(avail);
        }

        byte[] b = buf;
        final long[] mod = tables.mod;
        final long[] outShifted = tables.outShifted;
        final int shift = tables.shift;

        // The first MIN_SIZE - 64 bytes are not hashed. The next 63 bytes only push zeros out of the fresh
        // window; the 64th pushes out the initial byte 1; it is also the first position where a cut may occur.
        int i = start + MIN_SIZE - WINDOW;
        long d = initialDigest;
        for (int stop = i + WINDOW - 1; i < stop; i++) {
            d = ((d << 8) | (b[i] & 0xff)) ^ mod[(int) (d >>> shift)];
        }
        d = ((d << 8) | (b[i] & 0xff)) ^ mod[(int) (d >>> shift)] ^ outShifted[1];
        i++;
        if ((d & SPLIT_MASK) == 0) {
            return cut(MIN_SIZE);
        }
        // From here on the byte leaving the window is the one 64 positions back, still in the buffer.
        final long[] twoTop = tables.twoTop;
        final long[] outShifted2 = tables.outShifted2;
        final boolean twoSteps = tables.twoSteps;
        final int shift2 = shift - 8;
        while (true) {
            int limit = Math.min(end, start + MAX_SIZE);
            // Two bytes per iteration: the digest after both comes straight from the one before them, with
            // two independent table loads, so the loop-carried chain (shift, load, xor) is paid once per two
            // bytes. The digest in between, needed only for its cut test, is computed off that chain.
            for (; twoSteps && i + 1 < limit; i += 2) {
                int b0 = b[i] & 0xff;
                int leaving0 = b[i - WINDOW] & 0xff;
                // The table loads come last in each XOR: Java keeps the written order, and every XOR after
                // a load would lengthen the chain.
                long top = d >>> shift;
                long d1 = (((d << 8) | b0) ^ outShifted[leaving0]) ^ mod[(int) top];
                long d2 = ((d << 16) ^ ((long) b0 << 8 | (b[i + 1] & 0xff))
                        ^ outShifted2[leaving0] ^ outShifted[b[i + 1 - WINDOW] & 0xff])
                        ^ (twoTop[(int) top] ^ mod[(int) (d >>> shift2) & 0xff]);
                if ((d1 & SPLIT_MASK) == 0) {
                    return cut(i + 1 - start);
                }
                d = d2;
                if ((d & SPLIT_MASK) == 0) {
                    return cut(i + 2 - start);
                }
            }
            for (; i < limit; i++) {
                d = ((d << 8) | (b[i] & 0xff)) ^ mod[(int) (d >>> shift)] ^ outShifted[b[i - WINDOW] & 0xff];
                if ((d & SPLIT_MASK) == 0) {
                    return cut(i + 1 - start);
                }
            }
            if (i - start == MAX_SIZE) {
                return cut(MAX_SIZE);
            }
            if (eof) {
                return cut(end - start);
            }
            int moved = start;
            fill();
            i -= moved - start;
            b = buf; // fill() may have grown it
        }
    }

    private int cut(int length) {
        chunkStart = start;
        start += length;
        return length;
    }

    /** The buffer holding the chunk last returned by {@link #advance()}. */
    public byte[] array() {
        return buf;
    }

    /** Where that chunk starts in {@link #array()}. */
    public int offset() {
        return chunkStart;
    }

    /**
     * Moves the current chunk's bytes to the front of the buffer (growing it if the chunk fills it)
     * and reads at least one byte, or notes the end of the stream.
     */
    private void fill() throws IOException {
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            start = 0;
        }
        if (end == buf.length) {
            buf = Arrays.copyOf(buf, Math.min(MAX_BUFFER, buf.length * 2));
        }
        while (true) {
            int n = in.read(buf, end, Math.min(READ_SIZE, buf.length - end));
            if (n < 0) {
                eof = true;
                return;
            }
            if (n > 0) {
                end += n;
                return;
            }
        }
    }
}
