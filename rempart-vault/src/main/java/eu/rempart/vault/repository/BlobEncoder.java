package eu.rempart.vault.repository;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import eu.rempart.vault.crypto.MasterKey;

/**
 * Per-thread compression and encryption of blobs into one reused buffer: a backup seals hundreds
 * of megabytes, and fresh arrays and zstd contexts per blob cost more time and memory than the
 * work. A blob is compressed straight to where its ciphertext goes and sealed there in place.
 */
final class BlobEncoder {
    private static final ThreadLocal<BlobEncoder> CURRENT = ThreadLocal.withInitial(BlobEncoder::new);

    /** Blobs at least this large are sampled before being compressed in auto mode. */
    static final int SAMPLE_FROM = 64 * 1024;
    static final int SAMPLE = 16 * 1024;
    /** A sample compressing to more than this fraction of its size counts as incompressible. */
    static final double INCOMPRESSIBLE = 0.97;

    private final ZstdCompressCtx ctx = new ZstdCompressCtx();
    private final ZstdCompressCtx sampler = new ZstdCompressCtx();
    private int ctxLevel = Integer.MIN_VALUE;
    private byte[] sealed = new byte[0];
    private final byte[] sample = new byte[(int) Zstd.compressBound(SAMPLE)];

    /**
     * The sealed blob at {@code offset} in {@link #buffer()}: this thread's buffer, valid until it
     * encodes the next blob, or the caller's own array when sealed in place.
     */
    record Sealed(byte[] buffer, int offset, int length, int uncompressedLength) {
    }

    private BlobEncoder() {
        ctx.setContentSize(true);
        sampler.setLevel(1);
    }

    static BlobEncoder get() {
        return CURRENT.get();
    }

    /**
     * Compresses (unless {@code level} is 0, or in auto mode the data looks incompressible, or
     * compression does not make it smaller) and seals {@code len} bytes at {@code off}. With
     * {@code inPlace}, a blob stored uncompressed is sealed where it lies if {@code data} has room
     * for the nonce before it and the MAC after it, overwriting those bytes: then this thread's
     * buffer never needs to hold more than compressed blobs (an 8 MiB image chunk would otherwise
     * keep an 8 MiB buffer per saving thread for the rest of the run).
     */
    Sealed encode(MasterKey key, byte[] data, int off, int len, int level, boolean auto, boolean inPlace) {
        if (level != 0 && len > 0 && (!auto || looksCompressible(data, off, len))) {
            int bound = (int) Zstd.compressBound(len);
            ensure(bound + MasterKey.OVERHEAD);
            if (ctxLevel != level) {
                ctx.setLevel(level);
                ctxLevel = level;
            }
            int z = ctx.compressByteArray(sealed, MasterKey.IV_SIZE, bound, data, off, len);
            // Stored as is when compression does not pay: smaller and faster to restore.
            if (z < len) {
                int total = key.seal(sealed, MasterKey.IV_SIZE, z, sealed, 0);
                return new Sealed(sealed, 0, total, len);
            }
        }
        if (inPlace && off >= Repository.SEAL_ROOM_BEFORE && data.length - off - len >= Repository.SEAL_ROOM_AFTER) {
            int total = key.seal(data, off, len, data, off - MasterKey.IV_SIZE);
            return new Sealed(data, off - MasterKey.IV_SIZE, total, 0);
        }
        ensure(len + MasterKey.OVERHEAD);
        int total = key.seal(data, off, len, sealed, 0);
        return new Sealed(sealed, 0, total, 0);
    }

    private void ensure(int size) {
        if (sealed.length < size) {
            sealed = new byte[Buffers.grown(sealed.length, size)];
        }
    }

    /**
     * Compressing incompressible data (images, archives, encrypted files) at the auto level costs
     * as much as chunking it; fast compression of three samples (start, middle, end) tells them apart.
     */
    private boolean looksCompressible(byte[] data, int off, int len) {
        if (len < SAMPLE_FROM) {
            return true;
        }
        int[] starts = {off, off + len / 2 - SAMPLE / 2, off + len - SAMPLE};
        for (int s : starts) {
            int z = sampler.compressByteArray(sample, 0, sample.length, data, s, SAMPLE);
            if (z < SAMPLE * INCOMPRESSIBLE) {
                return true;
            }
        }
        return false;
    }
}
