package eu.rempart.vault.pack;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.crypto.MasterKey;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Streams one pack file to the backend: encrypted blobs one after another, then the encrypted
 * header and its length. The pack's id (SHA-256 of its bytes) is computed on the way, so a pack is
 * never held in memory whole. Not thread-safe; the repository hands each writer to one thread at a time.
 */
public final class PackWriter implements AutoCloseable {
    private final MasterKey key;
    private final BlobType type;
    private final Backend.PendingFile out;
    private final MessageDigest digest = Id.sha256();
    private final List<Entry> entries = new ArrayList<>();
    private long size;

    record Entry(Id id, BlobType type, int length, int uncompressedLength) {
    }

    public PackWriter(MasterKey key, BlobType type, Backend.PendingFile out) {
        this.key = key;
        this.type = type;
        this.out = out;
    }

    public BlobType type() {
        return type;
    }

    /** Bytes of blob data so far. */
    public long size() {
        return size;
    }

    public int count() {
        return entries.size();
    }

    /**
     * Appends an already encrypted blob of {@code len} bytes at {@code off}.
     *
     * @param uncompressedLength 0 if the plaintext was not compressed
     */
    public void add(Id id, byte[] sealed, int off, int len, int uncompressedLength) throws IOException {
        out.write(sealed, off, len);
        digest.update(sealed, off, len);
        size += len;
        entries.add(new Entry(id, type, len, uncompressedLength));
    }

    /** The finished pack: its id, its size and where each blob lies in it. */
    public record Finished(Id id, long size, List<PackedBlob> blobs) {
    }

    /** Writes the header and publishes the pack under its id. */
    public Finished finish() throws IOException {
        byte[] sealedHeader = key.seal(PackHeader.encode(entries));
        int hl = sealedHeader.length;
        byte[] tail = Arrays.copyOf(sealedHeader, hl + 4);
        tail[hl] = (byte) hl;
        tail[hl + 1] = (byte) (hl >>> 8);
        tail[hl + 2] = (byte) (hl >>> 16);
        tail[hl + 3] = (byte) (hl >>> 24);
        out.write(tail, 0, tail.length);
        digest.update(tail);
        Id packId = Id.fromDigest(digest);
        out.commit(packId.toHex());
        List<PackedBlob> blobs = new ArrayList<>(entries.size());
        long offset = 0;
        for (Entry e : entries) {
            blobs.add(new PackedBlob(e.id(), e.type(), packId, offset, e.length(), e.uncompressedLength()));
            offset += e.length();
        }
        return new Finished(packId, size + tail.length, blobs);
    }

    /** Discards the pack unless it was finished. */
    @Override
    public void close() throws IOException {
        out.close();
    }
}
