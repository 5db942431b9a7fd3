package eu.rempart.vault.checker;

/** Callbacks while packs are read. */
public interface CheckProgress {
    CheckProgress NONE = new CheckProgress() {
    };

    default void packDone(long done, long total) {
    }
}
