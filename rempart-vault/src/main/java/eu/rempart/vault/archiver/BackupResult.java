package eu.rempart.vault.archiver;

import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.SnapshotSummary;

/**
 * A finished backup: the saved snapshot (with its id) and its report.
 *
 * @param unreadable how many files or directories could not be read (they are not in the snapshot)
 */
public record BackupResult(Snapshot snapshot, SnapshotSummary summary, long unreadable) {
}
