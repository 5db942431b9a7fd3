package eu.rempart.vault.backend;

import java.io.IOException;

/**
 * A file collected in one growing array and handed over whole on commit, for remote backends: an
 * upload must be repeatable for retries, and it is sent from this array as it is (no copy, where
 * the default's copy doubled the memory each pack took).
 */
public final class BufferedPendingFile implements Backend.PendingFile {
    /** Stores {@code data[0, length)} under {@code name}. */
    public interface Upload {
        void save(String name, byte[] data, int length) throws IOException;
    }

    private final Upload upload;
    private byte[] buf = new byte[1 << 20];
    private int len;

    public BufferedPendingFile(Upload upload) {
        this.upload = upload;
    }

    @Override
    public void write(byte[] b, int off, int n) {
        if (len + n > buf.length) {
            buf = java.util.Arrays.copyOf(buf, Math.max(len + n, buf.length * 2));
        }
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    @Override
    public long size() {
        return len;
    }

    @Override
    public void commit(String name) throws IOException {
        upload.save(name, buf, len);
    }

    @Override
    public void close() {
        buf = new byte[0];
    }
}
