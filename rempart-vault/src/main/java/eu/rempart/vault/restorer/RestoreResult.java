package eu.rempart.vault.restorer;

import eu.rempart.vault.snapshot.SnapshotSummary;

import java.util.List;

/**
 * What a restore did; {@code errors} lists every path that could not be restored or verified.
 * {@code skippedFiles} (and their {@code skippedBytes}) were already there, up to date or left
 * as they were ({@link RestoreOptions.Overwrite}); {@code files} and {@code bytes} do not count them.
 */
public record RestoreResult(long files, long dirs, long others, long bytes, long verifiedFiles,
        long skippedFiles, long skippedBytes, List<SnapshotSummary.FileError> errors) {
    public RestoreResult {
        errors = List.copyOf(errors);
    }
}
