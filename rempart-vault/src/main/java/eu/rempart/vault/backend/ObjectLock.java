package eu.rempart.vault.backend;

import eu.rempart.vault.FileType;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A store that keeps files write-once for a retention period (S3 Object Lock): until it ends,
 * nobody holding the repository's credentials can delete or overwrite the stored version, so a
 * compromised practice PC cannot erase its off-site backups. Implemented by backends that have it.
 */
public interface ObjectLock {

    /** COMPLIANCE: nobody can shorten or lift it. GOVERNANCE: accounts with a special permission can. */
    enum Mode {
        COMPLIANCE, GOVERNANCE
    }

    /** How long new files are protected, and how. */
    record Retention(Mode mode, Duration period) {
        public Retention {
            if (mode == null || period == null || period.isNegative() || period.isZero()) {
                throw new IllegalArgumentException("retention needs a mode and a positive period");
            }
        }
    }

    /** The protection of one stored file: until when, and how. */
    record Retained(Mode mode, Instant until) {
    }

    /**
     * Prepares the store for a new repository with Object Lock, every new file protected by
     * {@code defaults}. Object Lock can only be switched on when the bucket is created (or on a
     * versioned bucket where the store allows it), so this comes before the repository's creation.
     */
    void enable(Retention defaults) throws IOException;

    /**
     * @param enabled  whether the store enforces Object Lock for this repository
     * @param defaults the protection every new file gets, if any (null: none)
     */
    record Status(boolean enabled, Retention defaults) {
    }

    /** Reads the store's Object Lock settings for this repository. */
    Status status() throws IOException;

    /** The current protection of a file; empty if it has none. @throws java.nio.file.NoSuchFileException */
    Optional<Retained> retention(FileType type, String name) throws IOException;

    /** Protects a file until {@code until}. Stores refuse to shorten a COMPLIANCE protection. */
    void retain(FileType type, String name, Mode mode, Instant until) throws IOException;
}
