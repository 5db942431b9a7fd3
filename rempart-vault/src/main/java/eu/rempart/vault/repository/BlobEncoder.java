package eu.rempart.vault.repository;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import eu.rempart.vault.crypto.MasterKey;

/**
 * Per-thread compression and encryption of blobs into reused buffers: a backup seals hundreds of
 * megabytes, and fresh arrays and zstd contexts per blob cost more time and memory than the work.
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
    private byte[] compressed = new byte[0];
    private byte[] sealed = new byte[0];
    private final byte[] sample = new byte[(int) Zstd.compressBound(SAMPLE)];

    /** The sealed blob in {@link #buffer()}, valid until this thread encodes the next blob. */
    record Sealed(byte[] buffer, int length, int uncompressedLength) {
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
     * compression does not make it smaller) and seals {@code len} bytes at {@code off}.
     */
    Sealed encode(MasterKey key, byte[] data, int off, int len, int level, boolean auto) {
        byte[] src = data;
        int srcOff = off;
        int n = len;
        int ulen = 0;
        if (level != 0 && len > 0 && (!auto || looksCompressible(data, off, len))) {
            int bound = (int) Zstd.compressBound(len);
            if (compressed.length < bound) {
                compressed = new byte[bound];
            }
            if (ctxLevel != level) {
                ctx.setLevel(level);
                ctxLevel = level;
            }
            int z = ctx.compressByteArray(compressed, 0, bound, data, off, len);
            // Stored as is when compression does not pay: smaller and faster to restore.
            if (z < len) {
                src = compressed;
                srcOff = 0;
                n = z;
                ulen = len;
            }
        }
        int total = n + MasterKey.OVERHEAD;
        if (sealed.length < total) {
            sealed = new byte[Math.max(total, sealed.length + (sealed.length >> 1))];
        }
        key.seal(src, srcOff, n, sealed, 0);
        return new Sealed(sealed, total, ulen);
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
