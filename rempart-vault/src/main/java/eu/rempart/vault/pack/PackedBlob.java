package eu.rempart.vault.pack;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;

/**
 * Where a blob lives: its pack, offset and encrypted length; {@code uncompressedLength} is 0 for
 * a blob stored uncompressed, as in restic's index.
 */
public record PackedBlob(Id id, BlobType type, Id packId, long offset, int length, int uncompressedLength) {

    public boolean compressed() {
        return uncompressedLength > 0;
    }

    /** Size of the plaintext once decrypted and decompressed. */
    public int plaintextLength(int cryptoOverhead) {
        return compressed() ? uncompressedLength : length - cryptoOverhead;
    }
}
