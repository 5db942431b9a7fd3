package eu.rempart.vault.restorer;

import java.util.List;

/**
 * What to restore and how.
 *
 * @param includes patterns (exclude-pattern syntax) of the paths inside the snapshot to restore;
 *                 empty restores everything
 * @param verify   read every restored file back and check it against the snapshot
 */
public record RestoreOptions(List<String> includes, boolean verify, int workers) {
    public RestoreOptions {
        includes = includes == null ? List.of() : List.copyOf(includes);
        workers = Math.max(1, workers);
    }

    /**
     * Two files per core: packs are read with direct I/O (no read-ahead), so while one file's worker
     * waits for the disk another decrypts. On 2 cores and the 3 GB benchmark, 4 workers restored in
     * a median of 8.8 s against 9.7 s with 2 (4 alternated runs each). {@code -Drempart.workers}
     * overrides it, for measurements.
     */
    public static RestoreOptions defaults() {
        int workers = Integer.getInteger("rempart.workers", 2 * Runtime.getRuntime().availableProcessors());
        return new RestoreOptions(List.of(), false, workers);
    }
}
