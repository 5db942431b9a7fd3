package eu.rempart.cli;

/** Process exit codes, the same as restic's. */
final class ExitCodes {
    static final int OK = 0;
    static final int ERROR = 1;
    /** The snapshot was saved but some files or directories could not be read. */
    static final int PARTIAL = 3;
    /** Rempart: the snapshot was saved, tagged "suspect": what changed looks like a ransomware attack. */
    static final int SUSPECT = 4;
    static final int NO_REPOSITORY = 10;
    static final int LOCKED = 11;

    private ExitCodes() {
    }
}
