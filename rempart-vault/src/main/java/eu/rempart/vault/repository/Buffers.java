package eu.rempart.vault.repository;

import com.github.luben.zstd.Zstd;
import eu.rempart.vault.chunker.Chunker;
import eu.rempart.vault.crypto.MasterKey;

/** Sizing of the per-thread blob buffers, which live as long as their thread. */
final class Buffers {
    /** Room for the largest data blob, compressed or not, sealed. */
    static final int LARGEST_BLOB = (int) Zstd.compressBound(Chunker.MAX_SIZE) + MasterKey.OVERHEAD;

    private Buffers() {
    }

    /**
     * A new size for a buffer of {@code have} bytes that must hold {@code need}: half as large
     * again at least (few reallocations), but not past the largest data blob unless {@code need}
     * is (a large tree), since a thread keeps its buffers for the whole command.
     */
    static int grown(int have, int need) {
        long half = Math.min(LARGEST_BLOB, have + (long) (have >> 1));
        return (int) Math.min(Integer.MAX_VALUE - 16, Math.max(need, half));
    }
}
