package eu.rempart.vault.restoretest;

import eu.rempart.vault.Id;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a restore test found.
 *
 * @param filesInSnapshot     regular files in the snapshot (in the trees that could be read)
 * @param filesTested         files of the sample: restored and checked, or failed
 * @param bytesTested         their size according to the snapshot
 * @param filesMatchingSource restored files identical to the file still on this machine (same
 *                            path, size and modification time as in the snapshot)
 * @param failures            every file that could not be restored or differs, and anything that
 *                            kept the test from running (unreadable tree, unusable scratch folder)
 */
public record RestoreTestReport(Id snapshot, Instant snapshotTime, int filesInSnapshot, int filesTested,
        long bytesTested, int filesMatchingSource, List<Failure> failures, Duration took) {

    public RestoreTestReport {
        failures = List.copyOf(failures);
    }

    /**
     * @param path    the file's path in the snapshot (UTF-8, invalid bytes as \xNN), or the scratch
     *                folder's for a problem with it
     * @param problem what went wrong, naming the pack or blob when the repository is at fault
     */
    public record Failure(String path, String problem) {
    }

    /** No failure, and something was tested: a test that restored nothing proves nothing. */
    public boolean ok() {
        return failures.isEmpty() && (filesTested > 0 || filesInSnapshot == 0);
    }
}
