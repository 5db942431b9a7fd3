package eu.rempart.vault.chunker;

import java.security.SecureRandom;

/**
 * A polynomial over GF(2) of degree at most 63, stored as its coefficient bits (bit i = coefficient of x^i).
 * This is the per-repository "chunker_polynomial" of a restic repository; the same value yields the same
 * chunk boundaries in restic and in Rempart.
 */
public final class Polynomial {
    /** Degree of the polynomials restic picks: the largest prime below 64 - 8. */
    static final int DEGREE = 53;
    private static final int MAX_TRIES = 1_000_000;

    private final long value;

    private Polynomial(long value) {
        this.value = value;
    }

    static Polynomial of(long value) {
        return new Polynomial(value);
    }

    /**
     * A random irreducible polynomial of degree 53, drawn exactly as restic draws it: 8 little-endian random
     * bytes, masked to 54 bits, with the x^53 and 1 coefficients set, retried until irreducible.
     */
    public static Polynomial random(SecureRandom rnd) {
        byte[] b = new byte[8];
        for (int i = 0; i < MAX_TRIES; i++) {
            rnd.nextBytes(b);
            long f = 0;
            for (int j = 7; j >= 0; j--) {
                f = f << 8 | (b[j] & 0xff);
            }
            f &= (1L << (DEGREE + 1)) - 1;
            f |= 1L << DEGREE | 1L;
            if (irreducible(f)) {
                return new Polynomial(f);
            }
        }
        // About one in 53 candidates is irreducible; this is practically unreachable.
        throw new IllegalStateException("no irreducible polynomial found in " + MAX_TRIES + " tries");
    }

    /**
     * Parses the hexadecimal form restic writes into the repository config (Go's {@code %x}: no prefix,
     * lowercase; uppercase digits are accepted like Go's ParseUint does). Only the syntax is checked; callers
     * validate with {@link #isIrreducible()} as restic does when it loads a config.
     */
    public static Polynomial parse(String hex) {
        if (hex == null || hex.isEmpty() || hex.length() > 16) {
            throw new IllegalArgumentException("invalid chunker polynomial: " + hex);
        }
        for (int i = 0; i < hex.length(); i++) {
            if (Character.digit(hex.charAt(i), 16) < 0) {
                throw new IllegalArgumentException("invalid chunker polynomial: " + hex);
            }
        }
        return new Polynomial(Long.parseUnsignedLong(hex, 16));
    }

    public String toHex() {
        return Long.toHexString(value);
    }

    public long value() {
        return value;
    }

    /** Degree of the polynomial, -1 for the zero polynomial. */
    int degree() {
        return deg(value);
    }

    /** Ben-Or's irreducibility test, with the same answer as restic's {@code Pol.Irreducible}. */
    public boolean isIrreducible() {
        return irreducible(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Polynomial p && p.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    @Override
    public String toString() {
        return "Polynomial[0x" + toHex() + "]";
    }

    // --- arithmetic in GF(2)[x] on longs; package-private for the chunker's table computation and tests ---

    static int deg(long x) {
        return 63 - Long.numberOfLeadingZeros(x);
    }

    /** Remainder of x divided by d (d != 0). */
    static long mod(long x, long d) {
        if (d == 0) {
            throw new ArithmeticException("division by zero polynomial");
        }
        int dd = deg(d);
        for (int diff = deg(x) - dd; diff >= 0; diff = deg(x) - dd) {
            x ^= d << diff;
        }
        return x;
    }

    static long gcd(long a, long b) {
        while (b != 0) {
            long r = mod(a, b);
            a = b;
            b = r;
        }
        return a;
    }

    /** x * f mod g (g of degree at least 1). */
    static long mulMod(long x, long f, long g) {
        long a = mod(x, g);
        int dg = deg(g);
        long top = 1L << dg;
        long res = 0;
        // Horner over the bits of f, most significant first; res stays reduced (degree < deg g).
        for (int i = deg(f); i >= 0; i--) {
            res <<= 1;
            if ((res & top) != 0) {
                res ^= g;
            }
            if ((f >>> i & 1) != 0) {
                res ^= a;
            }
        }
        return res;
    }

    static boolean irreducible(long f) {
        int n = deg(f);
        if (n < 1) {
            return true; // restic's loop does not run for these either
        }
        // Ben-Or: f is irreducible iff gcd(f, x^(2^i) - x mod f) == 1 for all 1 <= i <= deg/2.
        long p = mod(2, f); // x
        for (int i = 1; i <= n / 2; i++) {
            p = mulMod(p, p, f); // x^(2^i) mod f
            if (gcd(f, p ^ mod(2, f)) != 1) {
                return false;
            }
        }
        return true;
    }
}
