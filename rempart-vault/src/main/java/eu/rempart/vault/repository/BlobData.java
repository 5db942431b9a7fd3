package eu.rempart.vault.repository;

/**
 * A decoded blob: {@code array[offset, offset + length)}, in a per-thread buffer or in the
 * caller's (decoded in place). It stays valid only until the same thread loads or decodes the
 * next blob; copy it to keep it.
 */
public record BlobData(byte[] array, int offset, int length) {
}
