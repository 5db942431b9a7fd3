package eu.rempart.vault.repository;

/** Sizing of the per-thread blob buffers, which live as long as their thread. */
final class Buffers {
    private Buffers() {
    }

    /**
     * A new size for a buffer of {@code have} bytes that must hold {@code need}: {@code need}
     * rounded up to 256 KiB. A thread keeps its buffers for the whole command, so the largest blob
     * it meets sets their size for good; growing by half each time left them up to half as large
     * again as any blob (8 MiB each for restoring threads whose largest blob had 5.6 MiB). Chunk
     * sizes are exponentially distributed, so a thread sees a new largest one only a few times.
     */
    static int grown(int have, int need) {
        long step = 256 << 10;
        return (int) Math.min(Integer.MAX_VALUE - 16, Math.max(have, (need + step - 1) / step * step));
    }
}
