package eu.rempart.vault;

/** A blob named by its plaintext id and type. */
public record BlobHandle(Id id, BlobType type) {
}
