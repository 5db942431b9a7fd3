package eu.rempart.vault.repository;

import com.github.luben.zstd.ZstdDecompressCtx;

/**
 * Per-thread buffers and zstd context for reading blobs: restore and check decode every byte of a
 * repository, and fresh arrays per blob would cost more memory traffic than the decryption.
 */
final class BlobDecoder {
    private static final ThreadLocal<BlobDecoder> CURRENT = ThreadLocal.withInitial(BlobDecoder::new);

    final ZstdDecompressCtx zstd = new ZstdDecompressCtx();
    private byte[] sealed = new byte[0];
    private byte[] opened = new byte[0];
    private byte[] plain = new byte[0];

    static BlobDecoder get() {
        return CURRENT.get();
    }

    byte[] sealed(int n) {
        if (sealed.length < n) {
            sealed = new byte[Buffers.grown(sealed.length, n)];
        }
        return sealed;
    }

    byte[] opened(int n) {
        if (opened.length < n) {
            opened = new byte[Buffers.grown(opened.length, n)];
        }
        return opened;
    }

    byte[] plain(int n) {
        if (plain.length < n) {
            plain = new byte[Buffers.grown(plain.length, n)];
        }
        return plain;
    }
}
