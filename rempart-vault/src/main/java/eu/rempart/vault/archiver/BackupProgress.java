package eu.rempart.vault.archiver;

/** Callbacks during a backup, from several threads at once. All default to doing nothing. */
public interface BackupProgress {
    BackupProgress NONE = new BackupProgress() {
    };

    /** Totals found by the scan running alongside the backup (for an ETA). */
    default void scanned(long files, long bytes, boolean finished) {
    }

    /** Bytes of file content handled (read, or known unchanged). */
    default void bytesDone(long n) {
    }

    default void fileDone(String path) {
    }

    default void error(String path, String message) {
    }
}
