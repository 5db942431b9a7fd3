package eu.rempart.vault.crypto;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.Salsa20Engine;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.KeyParameter;

import com.sun.jna.Memory;

import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * scrypt (RFC 7914), built from Bouncy Castle's PBKDF2-HMAC-SHA256 and Salsa20/8 core and checked
 * against {@code SCrypt.generate} in the tests. Bouncy Castle's own keeps its table V (128·N·r
 * bytes: 32 MiB for restic's usual N = 2^15, r = 8) on the Java heap, where it lands in the serial
 * collector's old generation, which grows at once but shrinks only over several full collections:
 * every command that opened a repository kept those 32 MiB for its whole run. Here V lives in
 * native memory, wiped and returned to the system as soon as the key is derived.
 *
 * <p>Opening a key ({@link #derive}) mixes the p lanes on two threads where there are two cores,
 * each thread keeping only every {@link #STRIDE}th block of its lane's table and recomputing the
 * others when the second loop asks for them (scrypt's time-memory trade-off; the result is the
 * same). Each lane then costs three quarters more Salsa20/8 work, but two run at once in tables of
 * a quarter of the size: a p = 6 key opens in the same time (0.40-0.46 s against 0.40-0.43 s in a
 * cold JVM) in 16 MiB instead of 32, which was the peak of a no-change backup. Go's scrypt,
 * restic's, runs the lanes one after another in one full table; {@link KdfParams#calibrate} times
 * that sequential form ({@link #deriveSequential}), so a key's parameters cost what restic would
 * choose, however Rempart opens it.
 */
final class Scrypt {
    /** Blocks of V written at once: fewer calls into the off-heap table while the JIT warms up. */
    private static final int STAGED = 32;
    /** Every STRIDE-th block of V is kept when two lanes run at once: both tables in half one's room. */
    static final int STRIDE = 4;

    private Scrypt() {
    }

    /** scrypt as fast as this machine opens a key: two lanes at a time where there are two cores. */
    static byte[] derive(byte[] password, byte[] salt, int n, int r, int p, int dkLen) {
        int threads = Math.min(Math.min(p, 2), Runtime.getRuntime().availableProcessors());
        return derive(password, salt, n, r, p, dkLen, threads, threads == 1 ? 1 : STRIDE);
    }

    /** scrypt as restic computes it: lanes one after another, the whole table kept. */
    static byte[] deriveSequential(byte[] password, byte[] salt, int n, int r, int p, int dkLen) {
        return derive(password, salt, n, r, p, dkLen, 1, 1);
    }

    /**
     * @param threads lanes mixed at once, each in its own table
     * @param stride  every stride-th block of V is kept (1: all of them)
     */
    static byte[] derive(byte[] password, byte[] salt, int n, int r, int p, int dkLen, int threads, int stride) {
        byte[] b = pbkdf2(password, salt, p * 128 * r);
        try {
            mixLanes(b, n, r, p, threads, stride);
            return pbkdf2(password, b, dkLen);
        } finally {
            Arrays.fill(b, (byte) 0);
        }
    }

    private static void mixLanes(byte[] b, int n, int r, int p, int threads, int stride) {
        long vBytes = 4L * ((n + stride - 1) / stride) * 32 * r;
        if (vBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("scrypt parameters need more than 2 GiB: N=" + n + ", r=" + r);
        }
        AtomicInteger nextLane = new AtomicInteger();
        Runnable worker = () -> {
            try (LaneMixer m = new LaneMixer(n, r, stride, vBytes)) {
                for (int lane = nextLane.getAndIncrement(); lane < p; lane = nextLane.getAndIncrement()) {
                    m.mix(b, lane * 128 * r);
                }
            }
        };
        if (threads <= 1) {
            worker.run();
            return;
        }
        // Lanes write disjoint ranges of b; join() makes their writes visible here.
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] helpers = new Thread[threads - 1];
        for (int i = 0; i < helpers.length; i++) {
            helpers[i] = new Thread(worker, "rempart-scrypt");
            helpers[i].setDaemon(true);
            helpers[i].setUncaughtExceptionHandler((t, e) -> failure.compareAndSet(null, e));
            helpers[i].start();
        }
        try {
            worker.run();
        } finally {
            for (Thread t : helpers) {
                joinUninterruptibly(t);
            }
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
    }

    /** The caller's lanes are needed whatever happens: an interrupt is kept for after. */
    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** One thread's scratch and table, reused for each lane it mixes, wiped and freed on close. */
    private static final class LaneMixer implements AutoCloseable {
        private final int n;
        private final int r;
        private final int stride;
        private final int[] x;
        private final int[] y;
        private final int[] z;
        private final int[] t = new int[16];
        private final int[] s = new int[16];
        private final int[] stage;
        private final Memory table;
        private final IntBuffer v;

        LaneMixer(int n, int r, int stride, long vBytes) {
            this.n = n;
            this.r = r;
            this.stride = stride;
            int words = 32 * r;
            x = new int[words];
            y = new int[words];
            z = new int[words];
            stage = new int[STAGED * words];
            table = nativeTable(vBytes);
            v = table != null
                    ? table.getByteBuffer(0, vBytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer()
                    : IntBuffer.allocate((int) (vBytes / 4));
        }

        void mix(byte[] b, int off) {
            for (int i = 0; i < x.length; i++) {
                x[i] = littleEndianInt(b, off + 4 * i);
            }
            roMix();
            for (int i = 0; i < x.length; i++) {
                putLittleEndianInt(x[i], b, off + 4 * i);
            }
        }

        /**
         * RFC 7914 section 5: X = B; V_i = X, X = BlockMix(X) N times; then N data-dependent mixes.
         * Only V_i with i a multiple of the stride is stored; V_j is V_(j - j mod stride) taken
         * through BlockMix j mod stride more times.
         */
        private void roMix() {
            int words = x.length;
            int kept = 0;
            for (int i = 0; i < n; i++) {
                if (i % stride == 0) {
                    int k = kept % STAGED;
                    System.arraycopy(x, 0, stage, k * words, words);
                    kept++;
                    if (k == STAGED - 1 || i + stride >= n) {
                        v.put((kept - 1 - k) * words, stage, 0, (k + 1) * words);
                    }
                }
                blockMix(x, y, t, s, r);
            }
            int mask = n - 1;
            for (int i = 0; i < n; i++) {
                // Integerify: the first word of the last 64-byte block, modulo N (a power of two).
                int j = x[(2 * r - 1) * 16] & mask;
                int skipped = j % stride;
                v.get((j / stride) * words, y, 0, words); // y is free until blockMix
                for (int c = 0; c < skipped; c++) {
                    blockMix(y, z, t, s, r);
                }
                for (int k = 0; k < words; k++) {
                    x[k] ^= y[k];
                }
                blockMix(x, y, t, s, r);
            }
        }

        @Override
        public void close() {
            Arrays.fill(x, 0);
            Arrays.fill(y, 0);
            Arrays.fill(z, 0);
            Arrays.fill(t, 0);
            Arrays.fill(s, 0);
            Arrays.fill(stage, 0);
            if (table != null) {
                table.clear();
                table.close();
            } else {
                Arrays.fill(v.array(), 0);
            }
        }
    }

    /**
     * The table in native memory, or null where JNA's native library cannot be loaded (a home and
     * temporary directory mounted noexec, say): then on the heap, since a repository must open.
     */
    private static Memory nativeTable(long bytes) {
        try {
            return new Memory(bytes);
        } catch (LinkageError e) {
            return null;
        }
    }

    /**
     * RFC 7914 section 4: X = B_{2r-1}; Y_i = Salsa20/8(X xor B_i); the output is the even Y then
     * the odd Y. Works in place on b with y as scratch.
     */
    private static void blockMix(int[] b, int[] y, int[] t, int[] s, int r) {
        System.arraycopy(b, (2 * r - 1) * 16, t, 0, 16);
        for (int i = 0; i < 2 * r; i++) {
            for (int k = 0; k < 16; k++) {
                t[k] ^= b[i * 16 + k];
            }
            Salsa20Engine.salsaCore(8, t, s);
            System.arraycopy(s, 0, t, 0, 16);
            // Even blocks go to the first half, odd ones to the second.
            int dst = (i % 2 == 0 ? i / 2 : r + i / 2) * 16;
            System.arraycopy(t, 0, y, dst, 16);
        }
        System.arraycopy(y, 0, b, 0, b.length);
    }

    private static byte[] pbkdf2(byte[] password, byte[] salt, int len) {
        PKCS5S2ParametersGenerator g = new PKCS5S2ParametersGenerator(new SHA256Digest());
        g.init(password, salt, 1);
        return ((KeyParameter) g.generateDerivedParameters(len * 8)).getKey();
    }

    private static int littleEndianInt(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    private static void putLittleEndianInt(int v, byte[] b, int off) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
