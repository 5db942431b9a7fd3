package eu.rempart.vault;

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
        NO_TARGET
    }

    private final Problem problem;
    private final String subject;

    public VaultException(String message) {
        this(message, (Throwable) null);
    }

    public VaultException(String message, Throwable cause) {
        super(message, cause);
        this.problem = null;
        this.subject = null;
    }

    public VaultException(Problem problem, String subject, String message) {
        super(message);
        this.problem = problem;
        this.subject = subject;
    }

    /** What went wrong, or null when only the (English) message says. */
    public Problem problem() {
        return problem;
    }

    /** What the user named, for {@link #problem()}. */
    public String subject() {
        return subject;
    }
}
