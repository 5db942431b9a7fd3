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
        return new RestoreOptions(List.of(), false, Integer.getInteger("rempart.workers", Math.max(2, Runtime.getRuntime().availableProcessors())));
    }
}
