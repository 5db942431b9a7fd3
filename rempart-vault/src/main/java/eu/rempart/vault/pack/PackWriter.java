package eu.rempart.vault.pack;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.crypto.MasterKey;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Assembles one pack file in memory: encrypted blobs one after another, then the encrypted
 * header and its length. Not thread-safe; the repository hands each writer to one thread at a time.
 */
public final class PackWriter {
    private final MasterKey key;
    private final BlobType type;
    private final List<Entry> entries = new ArrayList<>();
    private byte[] buf;
    private int size;

    record Entry(Id id, BlobType type, int length, int uncompressedLength) {
    }

    public PackWriter(MasterKey key, BlobType type, int initialCapacity) {
        this.key = key;
        this.type = type;
        this.buf = new byte[initialCapacity];
    }

    public BlobType type() {
        return type;
    }

    /** Bytes of blob data so far. */
    public int size() {
        return size;
    }

    public int count() {
        return entries.size();
    }

    /**
     * Appends an already encrypted blob.
     *
     * @param uncompressedLength 0 if the plaintext was not compressed
     */
    public void add(Id id, byte[] sealed, int uncompressedLength) {
        ensure(sealed.length);
        System.arraycopy(sealed, 0, buf, size, sealed.length);
        size += sealed.length;
        entries.add(new Entry(id, type, sealed.length, uncompressedLength));
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
        }
    }

    /** The finished pack: its bytes, its id (SHA-256 of the bytes) and where each blob lies in it. */
    public record Finished(Id id, byte[] bytes, List<PackedBlob> blobs) {
    }

    public Finished finish() {
        byte[] header = PackHeader.encode(entries);
        byte[] sealedHeader = key.seal(header);
        ensure(sealedHeader.length + 4);
        System.arraycopy(sealedHeader, 0, buf, size, sealedHeader.length);
        int end = size + sealedHeader.length;
        int hl = sealedHeader.length;
        buf[end] = (byte) hl;
        buf[end + 1] = (byte) (hl >>> 8);
        buf[end + 2] = (byte) (hl >>> 16);
        buf[end + 3] = (byte) (hl >>> 24);
        byte[] bytes = buf.length == end + 4 ? buf : Arrays.copyOf(buf, end + 4);
        buf = null;
        MessageDigest md = Id.sha256();
        md.update(bytes);
        Id packId = Id.fromDigest(md);
        List<PackedBlob> blobs = new ArrayList<>(entries.size());
        long offset = 0;
        for (Entry e : entries) {
            blobs.add(new PackedBlob(e.id(), e.type(), packId, offset, e.length(), e.uncompressedLength()));
            offset += e.length();
        }
        return new Finished(packId, bytes, blobs);
    }
}
