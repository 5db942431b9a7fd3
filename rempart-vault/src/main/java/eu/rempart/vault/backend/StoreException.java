package eu.rempart.vault.backend;

import java.io.IOException;

/**
 * A remote store (REST server, S3 bucket) failed a request in one of the ways its user can act
 * on. The message is English, for logs; {@link #problem()}, {@link #where()} and
 * {@link #detail()} let a front end say it in its reader's language. None of them holds a
 * credential: {@code where} is a location as {@link Backend#location()} gives it.
 */
public final class StoreException extends IOException {
    public enum Problem {
        /** No answer after every attempt; {@code detail} is the last failure, in the system's words. */
        UNREACHABLE,
        /** Every attempt timed out; {@code detail} is the timeout in seconds. */
        TIMEOUT,
        /** The store refused the user name and password, or the access key; {@code detail} is its answer. */
        CREDENTIALS,
        /** No credentials to give the store (S3: no access key in the environment or profile). */
        NO_CREDENTIALS,
        /** The store refused the operation itself (403); {@code detail} is the store's answer. */
        FORBIDDEN,
        /** The store refused a write: the repository's quota is reached (413). */
        QUOTA,
        /** The TLS handshake failed; {@code detail} is the JDK's reason. */
        TLS
    }

    private final Problem problem;
    private final String where;
    private final String detail;

    public StoreException(Problem problem, String where, String detail, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
        this.where = where;
        this.detail = detail;
    }

    public Problem problem() {
        return problem;
    }

    /** The store or file the request was for. */
    public String where() {
        return where;
    }

    /** What the problem's description needs, in the system's words (may be empty). */
    public String detail() {
        return detail;
    }
}
