package eu.rempart.vault.snapshot;

import java.time.Instant;
import java.util.List;

/**
 * The backup report stored in a snapshot's {@code summary} field (restic >= 0.17 layout), with
 * Rempart's additions under {@code rempart_*} names that restic ignores.
 */
public record SnapshotSummary(Instant backupStart, Instant backupEnd,
        long filesNew, long filesChanged, long filesUnmodified,
        long dirsNew, long dirsChanged, long dirsUnmodified,
        long dataBlobs, long treeBlobs, long dataAdded, long dataAddedPacked,
        long totalFilesProcessed, long totalBytesProcessed,
        long bytesRead, List<FileError> errors) {

    public SnapshotSummary {
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    /** A file or directory that could not be backed up, and why. */
    public record FileError(String path, String message) {
    }
}
