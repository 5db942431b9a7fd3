package eu.rempart.vault.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The raw Poly1305 one-time authenticator of RFC 8439 section 2.5: {@code tag = ((h mod 2^130-5) + s)
 * mod 2^128} under a 16-byte r (clamped here, as the RFC requires; clamping twice is harmless) and a
 * 16-byte s. Poly1305-AES, restic's MAC, takes {@code s = AES-128_k(nonce)}; {@link MasterKey} does that.
 *
 * <p>The accumulator uses three limbs of 44, 44 and 42 bits ("poly1305-donna-64"), with 128-bit
 * products from {@link Math#multiplyHigh} and the low {@code *}. No allocation after construction;
 * no branch depends on key or message bytes. Not thread-safe: one instance per thread (see {@link Engines}).
 */
final class Poly1305 {
    static final int BLOCK_SIZE = 16;
    static final int TAG_SIZE = 16;

    private static final VarHandle LE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long M44 = (1L << 44) - 1;
    private static final long M42 = (1L << 42) - 1;
    /** The 2^128 bit a full block appends, at its place in the top limb (bit 128 - 88). */
    private static final long HIBIT = 1L << 40;

    /** r as limbs, and 20 r1, 20 r2: 2^132 = 4 * 5 mod 2^130 - 5, folded into the products that wrap. */
    private long r0;
    private long r1;
    private long r2;
    private long r1x20;
    private long r2x20;
    private long s0;
    private long s1;
    private long h0;
    private long h1;
    private long h2;
    /** A partial block carried between {@link #update} calls. */
    private final byte[] buf = new byte[BLOCK_SIZE];
    private int bufLen;

    /** Starts a new tag under {@code r = r[rOff, rOff+16)} and {@code s = s[sOff, sOff+16)}, little-endian. */
    void init(byte[] r, int rOff, byte[] s, int sOff) {
        long t0 = (long) LE64.get(r, rOff);
        long t1 = (long) LE64.get(r, rOff + 8);
        // The clamping masks of RFC 8439 section 2.5.1, cut into the 44/44/42-bit limbs.
        r0 = t0 & 0xffc0fffffffL;
        r1 = ((t0 >>> 44) | (t1 << 20)) & 0xfffffc0ffffL;
        r2 = (t1 >>> 24) & 0x00ffffffc0fL;
        r1x20 = r1 * 20;
        r2x20 = r2 * 20;
        s0 = (long) LE64.get(s, sOff);
        s1 = (long) LE64.get(s, sOff + 8);
        h0 = 0;
        h1 = 0;
        h2 = 0;
        bufLen = 0;
    }

    void update(byte[] m, int off, int len) {
        Objects.checkFromIndexSize(off, len, m.length);
        if (bufLen > 0) {
            int n = Math.min(len, BLOCK_SIZE - bufLen);
            System.arraycopy(m, off, buf, bufLen, n);
            bufLen += n;
            off += n;
            len -= n;
            if (bufLen < BLOCK_SIZE) {
                return;
            }
            blocks(buf, 0, BLOCK_SIZE, HIBIT);
            bufLen = 0;
        }
        int full = len & -BLOCK_SIZE;
        if (full > 0) {
            blocks(m, off, full, HIBIT);
        }
        int rest = len - full;
        if (rest > 0) {
            System.arraycopy(m, off + full, buf, 0, rest);
            bufLen = rest;
        }
    }

    /** Writes the 16-byte tag to {@code out[off, off+16)} and forgets the key; {@link #init} must follow. */
    void doFinal(byte[] out, int off) {
        Objects.checkFromIndexSize(off, TAG_SIZE, out.length);
        if (bufLen > 0) {
            // The last partial block gets its 1 byte right after the message and no 2^128 bit.
            buf[bufLen] = 1;
            for (int i = bufLen + 1; i < BLOCK_SIZE; i++) {
                buf[i] = 0;
            }
            blocks(buf, 0, BLOCK_SIZE, 0);
        }
        long h0 = this.h0;
        long h1 = this.h1;
        long h2 = this.h2;
        // Full carry: h < 2^130 + small afterwards; twice so that every limb is within its width.
        long c = h1 >>> 44;
        h1 &= M44;
        h2 += c;
        c = h2 >>> 42;
        h2 &= M42;
        h0 += c * 5;
        c = h0 >>> 44;
        h0 &= M44;
        h1 += c;
        c = h1 >>> 44;
        h1 &= M44;
        h2 += c;
        c = h2 >>> 42;
        h2 &= M42;
        h0 += c * 5;
        c = h0 >>> 44;
        h0 &= M44;
        h1 += c;

        // g = h + 5 - 2^130 = h - p; keep g when it is not negative (h >= p), in constant time.
        long g0 = h0 + 5;
        c = g0 >>> 44;
        g0 &= M44;
        long g1 = h1 + c;
        c = g1 >>> 44;
        g1 &= M44;
        long g2 = h2 + c - (1L << 42);
        long keepG = (g2 >>> 63) - 1;
        h0 = (h0 & ~keepG) | (g0 & keepG);
        h1 = (h1 & ~keepG) | (g1 & keepG);
        h2 = (h2 & ~keepG) | (g2 & keepG);

        // (h + s) mod 2^128, carrying between the two 64-bit halves without a branch.
        long lo = h0 | (h1 << 44);
        long hi = (h1 >>> 20) | (h2 << 24);
        long sumLo = lo + s0;
        long carry = ((lo & s0) | ((lo | s0) & ~sumLo)) >>> 63;
        long sumHi = hi + s1 + carry;
        LE64.set(out, off, sumLo);
        LE64.set(out, off + 8, sumHi);
        clear();
    }

    /** Processes {@code len} (a multiple of 16) bytes at {@code off}; state lives in locals for C2. */
    private void blocks(byte[] m, int off, int len, long hibit) {
        final long r0 = this.r0;
        final long r1 = this.r1;
        final long r2 = this.r2;
        final long r1x20 = this.r1x20;
        final long r2x20 = this.r2x20;
        long h0 = this.h0;
        long h1 = this.h1;
        long h2 = this.h2;
        for (int end = off + len; off < end; off += BLOCK_SIZE) {
            long t0 = (long) LE64.get(m, off);
            long t1 = (long) LE64.get(m, off + 8);
            h0 += t0 & M44;
            h1 += ((t0 >>> 44) | (t1 << 20)) & M44;
            h2 += ((t1 >>> 24) & M42) | hibit;

            // d_i = sum of three products < 2^92 each. Each product is split at bit 44 into a low part
            // (< 2^44) and a high part (< 2^48), and the parts are summed separately: no 128-bit carry.
            long a = h0 * r0;
            long b = h1 * r2x20;
            long e = h2 * r1x20;
            long lo0 = (a & M44) + (b & M44) + (e & M44);
            long hi0 = ((Math.multiplyHigh(h0, r0) << 20) | (a >>> 44))
                + ((Math.multiplyHigh(h1, r2x20) << 20) | (b >>> 44))
                + ((Math.multiplyHigh(h2, r1x20) << 20) | (e >>> 44));

            a = h0 * r1;
            b = h1 * r0;
            e = h2 * r2x20;
            long lo1 = (a & M44) + (b & M44) + (e & M44);
            long hi1 = ((Math.multiplyHigh(h0, r1) << 20) | (a >>> 44))
                + ((Math.multiplyHigh(h1, r0) << 20) | (b >>> 44))
                + ((Math.multiplyHigh(h2, r2x20) << 20) | (e >>> 44));

            a = h0 * r2;
            b = h1 * r1;
            e = h2 * r0;
            long lo2 = (a & M44) + (b & M44) + (e & M44);
            long hi2 = ((Math.multiplyHigh(h0, r2) << 20) | (a >>> 44))
                + ((Math.multiplyHigh(h1, r1) << 20) | (b >>> 44))
                + ((Math.multiplyHigh(h2, r0) << 20) | (e >>> 44));

            // Partial reduction: limbs end below 2^44 + 2^42-ish, ready for the next block's sums.
            h0 = lo0 & M44;
            long c = hi0 + (lo0 >>> 44);
            lo1 += c;
            h1 = lo1 & M44;
            c = hi1 + (lo1 >>> 44);
            lo2 += c;
            h2 = lo2 & M42;
            c = (hi2 << 2) + (lo2 >>> 42);
            h0 += c * 5;
            c = h0 >>> 44;
            h0 &= M44;
            h1 += c;
        }
        this.h0 = h0;
        this.h1 = h1;
        this.h2 = h2;
    }

    private void clear() {
        r0 = r1 = r2 = r1x20 = r2x20 = 0;
        s0 = s1 = 0;
        h0 = h1 = h2 = 0;
        bufLen = 0;
        java.util.Arrays.fill(buf, (byte) 0);
    }

    @Override
    public String toString() {
        return "Poly1305[***]";
    }
}
