package eu.rempart.vault.restorer;

/** Callbacks during a restore, from several threads at once. */
public interface RestoreProgress {
    RestoreProgress NONE = new RestoreProgress() {
    };

    default void bytesDone(long n) {
    }

    default void fileDone(String path) {
    }

    default void error(String path, String message) {
    }
}
