package eu.rempart.vault;

import java.util.List;

/**
 * Base of the vault's checked-out failures. Messages name files and ids, never secrets.
 */
public class VaultException extends RuntimeException {
    /**
     * The failures a user's request causes, which a caller may explain in the user's language:
     * {@link #subject()} is what the user named.
     */
    public enum Problem {
        /** No snapshot matches an id, id prefix or {@code latest} (with its filters). */
        NO_SNAPSHOT,
        /** Several snapshots start with an id prefix. */
        AMBIGUOUS_SNAPSHOT,
        /** No key file matches an id prefix. */
        NO_KEY,
        /** Several key files start with an id prefix. */
        AMBIGUOUS_KEY,
        /** The key file named is the one that opened the repository. */
        KEY_IN_USE,
        /** Compression asked of a repository in format version 1 (the subject), which has none. */
        NEEDS_VERSION_2,
        /** None of the paths given to back up exists (the subject lists them). */
        NO_TARGET,
        /** A blob fails authentication: damaged or forged. Arguments: pack, blob type, blob (short ids). */
        BLOB_UNAUTHENTIC,
        /** A blob decrypts, but its content does not match its id. Arguments as {@link #BLOB_UNAUTHENTIC}. */
        BLOB_WRONG_HASH,
        /**
         * A file of the repository (index, snapshot, lock) is damaged: it does not match its name,
         * fails authentication or does not decode. Argument: the file, as "index/1a2b3c4d".
         */
        FILE_DAMAGED,
        /** A snapshot file is damaged (see {@link #FILE_DAMAGED}). Argument: the snapshot's short id. */
        SNAPSHOT_DAMAGED,
        /**
         * The repository's config file does not open with the key that opened a key file: damaged,
         * or replaced. Argument: the repository's location.
         */
        CONFIG_DAMAGED,
        /** The repository's format version (the argument) is not 1 or 2: written by a newer tool. */
        UNSUPPORTED_VERSION,
        /** A pack the index lists is not in the store (deleted, or lost). Argument: the pack's short id. */
        PACK_MISSING,
        /**
         * prune found data the snapshots need missing or damaged, and refused to delete anything.
         * Argument: what it found, in English.
         */
        PRUNE_REFUSED,
        /** A password file is empty; an empty password is refused, as restic refuses it. Argument: the file. */
        EMPTY_PASSWORD_FILE,
        /** A restored file's blobs do not add up to the snapshot's size. Arguments: bytes restored, bytes expected. */
        SIZE_MISMATCH,
        /** A blob a snapshot needs is in no index, so it could not be read. Argument: the blob's short id. */
        BLOB_NOT_INDEXED,
        /** A restored file, read back ({@code --verify}), differs from the snapshot. */
        VERIFY_FAILED
    }

    private final Problem problem;
    private final List<String> args;

    public VaultException(String message) {
        this(message, (Throwable) null);
    }

    public VaultException(String message, Throwable cause) {
        super(message, cause);
        this.problem = null;
        this.args = List.of();
    }

    public VaultException(Problem problem, String subject, String message) {
        this(problem, List.of(subject), message);
    }

    /** @param args what the problem's description names, in the order its documentation gives */
    public VaultException(Problem problem, List<String> args, String message) {
        this(problem, args, message, null);
    }

    public VaultException(Problem problem, List<String> args, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
        this.args = List.copyOf(args);
    }

    /** What went wrong, or null when only the (English) message says. */
    public Problem problem() {
        return problem;
    }

    /** What the user named, for {@link #problem()}: its first argument. */
    public String subject() {
        return args.isEmpty() ? null : args.get(0);
    }

    /** Everything {@link #problem()} names. */
    public List<String> args() {
        return args;
    }
}
