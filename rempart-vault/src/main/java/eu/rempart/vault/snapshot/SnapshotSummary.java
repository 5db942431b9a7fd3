package eu.rempart.vault.snapshot;

import eu.rempart.vault.VaultException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

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

    /**
     * A file or directory that could not be backed up (or restored), and why, in English. When the
     * vault's own failure is the reason, {@code vaultProblem} and {@code args} keep what it was,
     * for a front end to say in its reader's language; a stored snapshot keeps only the message.
     */
    public record FileError(String path, String message, VaultException.Problem vaultProblem, List<String> args) {
        public FileError {
            args = args == null ? List.of() : List.copyOf(args);
        }

        public FileError(String path, String message) {
            this(path, message, null, List.of());
        }

        /**
         * The common reasons, whose English text is the message as stored, so that a front end
         * can say them in its reader's language; any other message is the system's own.
         */
        public enum Problem {
            PERMISSION_DENIED("permission denied"),
            VANISHED("no such file (removed during backup)"),
            CHANGED_WHILE_READ("file changed while it was read; the version read is kept"),
            REMOVED_WHILE_READ("file removed while it was read; the version read is kept"),
            /** A path given to back up that does not exist: the backup went on without it. */
            TARGET_MISSING("backup target does not exist, skipped");

            public final String english;

            Problem(String english) {
                this.english = english;
            }
        }

        /** The common reason this message gives, if it is one. */
        public Optional<Problem> problem() {
            for (Problem p : Problem.values()) {
                if (p.english.equals(message)) {
                    return Optional.of(p);
                }
            }
            return Optional.empty();
        }
    }
}
