package eu.rempart.vault.restorer;

import eu.rempart.vault.snapshot.SnapshotSummary;

import java.util.List;

/** What a restore did; {@code errors} lists every path that could not be restored or verified. */
public record RestoreResult(long files, long dirs, long others, long bytes, long verifiedFiles,
        List<SnapshotSummary.FileError> errors) {
    public RestoreResult {
        errors = List.copyOf(errors);
    }
}
