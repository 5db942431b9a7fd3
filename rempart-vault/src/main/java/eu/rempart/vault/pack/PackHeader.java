package eu.rempart.vault.pack;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.crypto.MasterKey;

import java.util.ArrayList;
import java.util.List;

/**
 * The pack header: per blob a type byte (0 data, 1 tree, 2 compressed data, 3 compressed tree),
 * the encrypted length, for compressed blobs the plaintext length, and the plaintext id.
 */
public final class PackHeader {
    static final int PLAIN_ENTRY = 1 + 4 + Id.SIZE;
    static final int COMPRESSED_ENTRY = 1 + 4 + 4 + Id.SIZE;
    /** restic refuses headers with more entries than this could describe in a sane pack. */
    private static final int MAX_HEADER_SIZE = 16 * 1024 * 1024;

    private PackHeader() {
    }

    static byte[] encode(List<PackWriter.Entry> entries) {
        int n = 0;
        for (PackWriter.Entry e : entries) {
            n += e.uncompressedLength() > 0 ? COMPRESSED_ENTRY : PLAIN_ENTRY;
        }
        byte[] out = new byte[n];
        int p = 0;
        for (PackWriter.Entry e : entries) {
            boolean c = e.uncompressedLength() > 0;
            int t = (e.type() == BlobType.TREE ? 1 : 0) | (c ? 2 : 0);
            out[p++] = (byte) t;
            p = putInt(out, p, e.length());
            if (c) {
                p = putInt(out, p, e.uncompressedLength());
            }
            e.id().copyTo(out, p);
            p += Id.SIZE;
        }
        return out;
    }

    private static int putInt(byte[] b, int p, int v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >>> 8);
        b[p + 2] = (byte) (v >>> 16);
        b[p + 3] = (byte) (v >>> 24);
        return p + 4;
    }

    private static int getInt(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (b[p + 3] & 0xff) << 24;
    }

    /**
     * Bytes a pack holding exactly these blobs has besides them: the sealed header (an entry per
     * blob plus the crypto overhead) and its four-byte length.
     */
    public static long overhead(java.util.Collection<PackedBlob> blobs) {
        long header = 0;
        for (PackedBlob b : blobs) {
            header += b.compressed() ? COMPRESSED_ENTRY : PLAIN_ENTRY;
        }
        return header + MasterKey.OVERHEAD + 4;
    }

    /** The size of a pack file holding exactly these blobs (no duplicates). */
    public static long packSize(java.util.Collection<PackedBlob> blobs) {
        long size = overhead(blobs);
        for (PackedBlob b : blobs) {
            size += b.length();
        }
        return size;
    }

    /** How many bytes from the end of a pack to read to get its header in one go, usually. */
    public static final int TAIL_GUESS = 64 * 1024;

    /** Length of the encrypted header, from the last four bytes of the pack. */
    public static int headerLength(byte[] tail) {
        return getInt(tail, tail.length - 4);
    }

    /**
     * Parses the blobs of a pack from its tail bytes (which must contain the whole encrypted header
     * and the length field).
     *
     * @param packSize the size of the whole pack file
     */
    public static List<PackedBlob> parse(MasterKey key, Id packId, byte[] tail, long packSize) {
        if (tail.length < 4) {
            throw new VaultException("pack " + packId.shortHex() + ": file too short");
        }
        int hl = headerLength(tail);
        if (hl < MasterKey.OVERHEAD || hl > MAX_HEADER_SIZE || hl + 4L > packSize) {
            throw new VaultException("pack " + packId.shortHex() + ": invalid header length " + hl);
        }
        if (hl + 4 > tail.length) {
            throw new IllegalArgumentException("tail does not hold the header");
        }
        byte[] header = key.open(tail, tail.length - 4 - hl, hl);
        List<PackedBlob> blobs = new ArrayList<>();
        long offset = 0;
        int p = 0;
        long dataEnd = packSize - 4 - hl;
        while (p < header.length) {
            int t = header[p] & 0xff;
            if (t > 3) {
                throw new VaultException("pack " + packId.shortHex() + ": invalid blob type " + t);
            }
            boolean c = (t & 2) != 0;
            int need = c ? COMPRESSED_ENTRY : PLAIN_ENTRY;
            if (p + need > header.length) {
                throw new VaultException("pack " + packId.shortHex() + ": truncated header");
            }
            int length = getInt(header, p + 1);
            int ulen = c ? getInt(header, p + 5) : 0;
            Id id = Id.of(header, p + (c ? 9 : 5));
            if (length < MasterKey.OVERHEAD || offset + length > dataEnd || (c && ulen <= 0)) {
                throw new VaultException("pack " + packId.shortHex() + ": invalid blob entry for " + id.shortHex());
            }
            blobs.add(new PackedBlob(id, (t & 1) != 0 ? BlobType.TREE : BlobType.DATA, packId, offset, length, ulen));
            offset += length;
            p += need;
        }
        return blobs;
    }
}
