package eu.rempart.vault.repository;

/**
 * A decoded blob in a per-thread buffer: {@code array[0, length)}. It stays valid only until the
 * same thread loads or decodes the next blob; copy it to keep it.
 */
public record BlobData(byte[] array, int length) {
}
