package eu.rempart.vault.crypto;


import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * scrypt cost parameters as stored in a key file ({@code N}, {@code r}, {@code p}).
 * The constructor accepts exactly what restic's parameter check (simple-scrypt) and scrypt accept.
 */
public record KdfParams(int n, int r, int p) {
    /** restic calibrates with these limits: 500 ms and 60 MiB. */
    static final Duration DEFAULT_TARGET = Duration.ofMillis(500);
    static final long DEFAULT_MEMORY = 60L << 20;
    private static final int MIN_N = 1 << 15;

    public KdfParams {
        if (n <= 1 || (n & (n - 1)) != 0) {
            throw new IllegalArgumentException("scrypt N must be a power of two greater than 1");
        }
        if (r < 1 || p < 1) {
            throw new IllegalArgumentException("scrypt r and p must be positive");
        }
        long max = Integer.MAX_VALUE;
        if ((long) r * p >= 1L << 30 || r > max / 128 / p || r > max / 256 || n > max / 128 / r) {
            throw new IllegalArgumentException("scrypt parameters too large");
        }
    }

    /**
     * Picks parameters as restic does (simple-scrypt's Calibrate): r = 8, N the largest power of
     * two whose 128·r·N bytes stay under {@code maxMemoryBytes} (but at least 2^15), reduced while one
     * run exceeds {@code target}, then p raised until a run takes about {@code target}.
     */
    public static KdfParams calibrate(Duration target, long maxMemoryBytes) {
        long targetNanos = target.toNanos();
        if (targetNanos <= 0) {
            throw new IllegalArgumentException("target must be positive");
        }
        int r = 8;
        int n = 1;
        while (128L * r * n < maxMemoryBytes && n < (1 << 24)) {
            n <<= 1;
        }
        n = Math.max(MIN_N, n >> 1);
        byte[] salt = new byte[64];
        new SecureRandom().nextBytes(salt);
        // Timed in a cold JVM, the first lanes run interpreted, about twice as slow as compiled:
        // p would come out half of what this machine sustains (2-4 here where restic, native,
        // picks 6). A few small derivations get the JIT past that first.
        for (int i = 0; i < 8; i++) {
            time(MIN_N >> 4, r, 1, salt);
        }
        long dur = time(n, r, 1, salt);
        while (dur > targetNanos && n > MIN_N) {
            n >>= 1;
            dur = time(n, r, 1, salt);
        }
        int p = (int) Math.max(1, Math.min(1 << 20, targetNanos / Math.max(1, dur)));
        dur = time(n, r, p, salt);
        // Load can make a large p overshoot; scale it back from the measured time per unit of p.
        while (dur > targetNanos && p > 1) {
            p = (int) Math.max(1, targetNanos / Math.max(1, dur / p));
            if (p == 1) {
                break;
            }
            dur = time(n, r, p, salt);
        }
        return new KdfParams(n, r, p);
    }

    /** Cheap parameters for tests only: never use them for real keys. */
    public static KdfParams forTests() {
        return new KdfParams(1024, 8, 1);
    }

    /**
     * Times scrypt as restic runs it (lanes one after another, the whole table): parameters then
     * cost what restic's calibration would pick, however many lanes Rempart runs at once.
     */
    private static long time(int n, int r, int p, byte[] salt) {
        long start = System.nanoTime();
        Scrypt.deriveSequential("weakpassword".getBytes(StandardCharsets.US_ASCII), salt, n, r, p, 64);
        return System.nanoTime() - start;
    }

    /** scrypt(password, salt) to the 64 bytes restic splits into encryption key, k and r. */
    static byte[] derive(byte[] password, byte[] salt, KdfParams params) {
        return Scrypt.derive(password, salt, params.n, params.r, params.p, 64);
    }
}
