package eu.rempart.sentinel.isolate;

/** Isolation could not be applied, released or read; the ruleset is left as it was. */
public final class IsolationException extends Exception {
    /** What went wrong, so that the command line can say it in the user's language. */
    public enum Reason {
        /** The nft program is not installed. */
        NFT_MISSING,
        /** nft refused: not root (CAP_NET_ADMIN needed). */
        NOT_PERMITTED,
        /** An allowed host name has no address (DNS may already be cut by an isolation). */
        UNRESOLVED,
        /** nft failed otherwise; the detail is its error output. */
        NFT_FAILED
    }

    private final Reason reason;
    private final String detail;

    IsolationException(Reason reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
        this.detail = detail;
    }

    public Reason reason() {
        return reason;
    }

    /** The host, command or nft error text behind the failure. */
    public String detail() {
        return detail;
    }
}
