package eu.rempart.vault.crypto;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.Salsa20Engine;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.KeyParameter;

import com.sun.jna.Memory;

import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.Arrays;

/**
 * scrypt (RFC 7914), built from Bouncy Castle's PBKDF2-HMAC-SHA256 and Salsa20/8 core and checked
 * against {@code SCrypt.generate} in the tests. Bouncy Castle's own keeps its table V (128·N·r
 * bytes: 32 MiB for restic's usual N = 2^15, r = 8) on the Java heap, where it lands in the serial
 * collector's old generation, which grows at once but shrinks only over several full collections:
 * every command that opened a repository kept those 32 MiB for its whole run. Here V lives in
 * native memory, wiped and returned to the system as soon as the key is derived.
 *
 * <p>The p lanes run one after another on one table, as Go's scrypt does for restic. Run in
 * parallel they needed a table each (32 MiB more per extra lane) and saved little in a cold JVM,
 * whose compiler threads want the other core: no faster for p = 2 in a no-change backup, 340
 * against 390 ms for p = 4 alone.
 */
final class Scrypt {
    /** Blocks of V written at once: fewer calls into the off-heap table while the JIT warms up. */
    private static final int STAGED = 32;

    private Scrypt() {
    }

    static byte[] derive(byte[] password, byte[] salt, int n, int r, int p, int dkLen) {
        byte[] b = pbkdf2(password, salt, p * 128 * r);
        try {
            mixLanes(b, n, r, p);
            return pbkdf2(password, b, dkLen);
        } finally {
            Arrays.fill(b, (byte) 0);
        }
    }

    private static void mixLanes(byte[] b, int n, int r, int p) {
        int words = 32 * r;
        long vBytes = 4L * n * words;
        if (vBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("scrypt parameters need more than 2 GiB: N=" + n + ", r=" + r);
        }
        int[] x = new int[words];
        int[] y = new int[words];
        int[] t = new int[16];
        int[] s = new int[16];
        int[] stage = new int[STAGED * words];
        Memory table = nativeTable(vBytes);
        IntBuffer v = table != null
                ? table.getByteBuffer(0, vBytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer()
                : IntBuffer.allocate((int) (vBytes / 4));
        try {
            for (int lane = 0; lane < p; lane++) {
                int off = lane * 128 * r;
                for (int i = 0; i < words; i++) {
                    x[i] = littleEndianInt(b, off + 4 * i);
                }
                roMix(x, v, stage, y, t, s, n, r);
                for (int i = 0; i < words; i++) {
                    putLittleEndianInt(x[i], b, off + 4 * i);
                }
            }
        } finally {
            Arrays.fill(x, 0);
            Arrays.fill(y, 0);
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

    /** RFC 7914 section 5: X = B; V_i = X, X = BlockMix(X) N times; then N data-dependent mixes. */
    private static void roMix(int[] x, IntBuffer v, int[] stage, int[] y, int[] t, int[] s, int n, int r) {
        int words = x.length;
        for (int i = 0; i < n; i++) {
            int k = i % STAGED;
            System.arraycopy(x, 0, stage, k * words, words);
            if (k == STAGED - 1 || i == n - 1) {
                v.put((i - k) * words, stage, 0, (k + 1) * words);
            }
            blockMix(x, y, t, s, r);
        }
        int mask = n - 1;
        for (int i = 0; i < n; i++) {
            // Integerify: the first word of the last 64-byte block, modulo N (a power of two).
            int j = x[(2 * r - 1) * 16] & mask;
            v.get(j * words, y, 0, words); // y is free until blockMix
            for (int k = 0; k < words; k++) {
                x[k] ^= y[k];
            }
            blockMix(x, y, t, s, r);
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
