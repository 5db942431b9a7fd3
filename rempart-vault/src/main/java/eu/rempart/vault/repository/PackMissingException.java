package eu.rempart.vault.repository;

import eu.rempart.vault.Id;

import java.nio.file.NoSuchFileException;

/**
 * A pack the index lists is not in the store: deleted, or lost with its disk. Still a
 * {@link NoSuchFileException}, as the store said; the pack's id says which.
 */
public final class PackMissingException extends NoSuchFileException {
    private final transient Id pack;

    public PackMissingException(Id pack, NoSuchFileException cause) {
        super("data/" + pack.toHex(), null, "pack missing from the repository");
        this.pack = pack;
        initCause(cause);
    }

    public Id pack() {
        return pack;
    }
}
