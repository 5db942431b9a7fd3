package eu.rempart.vault.chunker;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Precomputed lookup tables of the rolling Rabin fingerprint for one polynomial. Read-only once built, so one
 * instance per polynomial is shared by all chunkers (restic caches them the same way).
 */
final class Tables {
    private static final ConcurrentHashMap<Long, Tables> CACHE = new ConcurrentHashMap<>();

    /** deg(pol) - 8: shifting the digest right by this yields its top byte. */
    final int shift;
    /**
     * mod[t] = (t * x^k mod pol) | (t * x^k), k = deg(pol): XORed into (digest << 8) it clears the byte that
     * overflowed above degree k and adds its remainder.
     */
    final long[] mod = new long[256];
    /**
     * out[b] = fingerprint of b followed by 63 zero bytes: XORing it removes b from the window (as restic's
     * out table).
     */
    final long[] out = new long[256];
    /**
     * outShifted[b] = step(out[b]) where step(v) = (v << 8) ^ mod[v >>> shift]. The step is linear, so removing
     * b before a step equals XORing outShifted[b] after it; this takes the removal off the loop-carried path.
     */
    final long[] outShifted = new long[256];

    /**
     * twoTop[t] = t * x^(k+8) mod pol, XORed with (t << (k+8)) cut to 64 bits: the remainder of a top byte
     * t that two steps at once shift out. The next byte down is handled by {@link #mod} (it overflows by
     * exactly k), the rest of the digest needs no reduction after a 16-bit shift.
     */
    final long[] twoTop = new long[256];
    /** outShifted2[b] = step(outShifted[b]): removing b two steps back, XORed after a double step. */
    final long[] outShifted2 = new long[256];
    /** Whether the double step applies: the digest has at least 16 bits below its top (k >= 16). */
    final boolean twoSteps;

    private Tables(long pol) {
        int k = Polynomial.deg(pol);
        shift = k - 8;
        for (int b = 0; b < 256; b++) {
            long h = Polynomial.mod(b, pol);
            for (int i = 0; i < Chunker.WINDOW - 1; i++) {
                h = Polynomial.mod(h << 8, pol);
            }
            out[b] = h;
        }
        for (int b = 0; b < 256; b++) {
            mod[b] = Polynomial.mod((long) b << k, pol) | (long) b << k;
        }
        for (int b = 0; b < 256; b++) {
            outShifted[b] = step(out[b]);
            outShifted2[b] = step(outShifted[b]);
            twoTop[b] = step(mod[b] ^ (long) b << k) ^ (long) b << (k + 8);
        }
        twoSteps = k >= 16;
    }

    /** v * x^8 mod pol for v of degree below k. */
    private long step(long v) {
        return (v << 8) ^ mod[(int) (v >>> shift)];
    }

    static Tables of(Polynomial pol) {
        return CACHE.computeIfAbsent(pol.value(), Tables::new);
    }
}
