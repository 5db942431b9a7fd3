package eu.rempart.vault.repair;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.rewrite.SnapshotRewriter;
import eu.rempart.vault.rewrite.SnapshotRewriter.Action;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.NodeType;

import java.io.IOException;
import java.util.List;

/**
 * Rewrites snapshots that refer to data the repository no longer holds (restic's {@code repair
 * snapshots}), once {@code repair packs} or {@code repair index} has left some blobs lost and the
 * files they came from cannot be backed up again. A file with missing content is removed; a
 * folder whose tree is missing becomes empty; everything else is kept as it is. The new snapshots
 * get the tag {@value #TAG}; with {@code forget} the damaged ones are removed, which lets
 * {@code prune} run again. A snapshot whose root tree is missing cannot be rewritten: it is only
 * removed, with {@code forget}. See {@link SnapshotRewriter} for the order of writes.
 */
public final class SnapshotRepair {
    /** Tag of a snapshot written by a repair. */
    public static final String TAG = "repaired";

    private SnapshotRepair() {
    }

    public static SnapshotRewriter.Result run(Repository repo, List<Snapshot> snapshots, boolean forget, boolean dryRun)
            throws IOException {
        SnapshotRewriter.Rule lost = new SnapshotRewriter.Rule() {
            @Override
            public Action decide(Node n, String path) {
                boolean whole = n.type() != NodeType.FILE
                        || n.content().stream().allMatch(id -> repo.index().has(BlobType.DATA, id));
                return whole ? Action.KEEP : Action.REMOVE;
            }

            @Override
            public Action missingTree(Node folder, String path) {
                return Action.EMPTY;
            }

            @Override
            public boolean usesPaths() {
                return false;
            }
        };
        return SnapshotRewriter.run(repo, snapshots, lost, TAG, forget, dryRun);
    }
}
