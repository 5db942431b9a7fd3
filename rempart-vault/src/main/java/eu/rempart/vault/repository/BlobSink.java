package eu.rempart.vault.repository;

import java.io.IOException;

/**
 * Receives a blob's plaintext in pieces, in order (see {@link Repository#streamBlob}). The pieces
 * are authenticated only once the whole blob has been: a sink must be able to discard what it
 * received when the stream fails.
 */
@FunctionalInterface
public interface BlobSink {
    /** The next {@code len} bytes at {@code b[off]}, valid only during this call. */
    void write(byte[] b, int off, int len) throws IOException;
}
