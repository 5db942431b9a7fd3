package eu.rempart.vault.prune;

/** What a prune is doing; called from the pruning threads. */
public interface PruneProgress {
    /** The steps of a prune, in order. Each step leaves a repository that checks clean if killed. */
    enum Phase {
        LOADING_INDEX, LOADING_SNAPSHOTS, FINDING_USED_BLOBS, PLANNING,
        DELETING_UNREFERENCED, REPACKING, REBUILDING_INDEX, DELETING_INDEX, DELETING_PACKS
    }

    PruneProgress NONE = new PruneProgress() {
    };

    /** A step starts; {@code total} counts what {@link #advance} will count (0 if nothing is counted). */
    default void phase(Phase phase, long total) {
    }

    /** {@code n} more packs, snapshots or files of the current step are done. */
    default void advance(long n) {
    }
}
