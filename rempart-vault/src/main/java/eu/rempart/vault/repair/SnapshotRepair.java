package eu.rempart.vault.repair;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.NodeType;
import eu.rempart.vault.tree.Tree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites snapshots that refer to data the repository no longer holds (restic's {@code repair
 * snapshots}), once {@code repair packs} or {@code repair index} has left some blobs lost and the
 * files they came from cannot be backed up again. A file with missing content is removed; a
 * directory whose tree is missing becomes empty; everything else is kept as it is. Each damaged
 * snapshot gets a new snapshot with the same time, host, paths and tags plus the tag
 * {@value #TAG}, and its original's id in {@code original}; with {@code forget} the damaged one is
 * then removed, which lets {@code prune} run again. A snapshot whose root tree is missing cannot be
 * rewritten: it is only removed, with {@code forget}.
 *
 * <p>New trees are stored and flushed before any snapshot is written, and snapshots are written
 * before any is removed. The caller holds the exclusive lock.
 */
public final class SnapshotRepair {
    /** Tag of a snapshot written by a repair. */
    public static final String TAG = "repaired";

    /** What was removed from a snapshot: a file without its content, or a directory's content. */
    public record Change(String path, boolean directory) {
    }

    /**
     * One damaged snapshot: what was taken out, the snapshot written in its place (null in a dry
     * run, or if its root tree is missing) and whether it was removed.
     */
    public record Repaired(Snapshot damaged, List<Change> changes, boolean rootMissing, Id replacement,
            boolean removed) {
        public Repaired {
            changes = List.copyOf(changes);
        }
    }

    public record Result(List<Repaired> repaired, int intact) {
        public Result {
            repaired = List.copyOf(repaired);
        }
    }

    private final Repository repo;
    private final boolean dryRun;
    /** Trees already rewritten: their new id (the same if intact) and what was taken out below them. */
    private final Map<Id, Rewritten> done = new HashMap<>();
    private Id emptyTree;

    private record Rewritten(Id id, List<Change> changes) {
    }

    private SnapshotRepair(Repository repo, boolean dryRun) {
        this.repo = repo;
        this.dryRun = dryRun;
    }

    public static Result run(Repository repo, List<Snapshot> snapshots, boolean forget, boolean dryRun)
            throws IOException {
        repo.loadIndex();
        SnapshotRepair r = new SnapshotRepair(repo, dryRun);
        List<Snapshot> damaged = new ArrayList<>();
        List<Rewritten> rewritten = new ArrayList<>();
        int intact = 0;
        for (Snapshot s : snapshots) {
            Rewritten root = r.readable(s.tree()) ? r.rewrite(s.tree(), "") : null;
            if (root != null && root.changes().isEmpty()) {
                intact++;
            } else {
                damaged.add(s);
                rewritten.add(root);
            }
        }
        if (!dryRun) {
            repo.flush(); // the new trees and their index before any snapshot names them
        }
        List<Repaired> out = new ArrayList<>();
        for (int i = 0; i < damaged.size(); i++) {
            Snapshot s = damaged.get(i);
            Rewritten root = rewritten.get(i);
            Id replacement = null;
            if (root != null && !dryRun) {
                List<String> tags = new ArrayList<>(s.tags());
                if (!tags.contains(TAG)) {
                    tags.add(TAG);
                }
                replacement = Snapshots.save(repo, new Snapshot(null, s.time(), s.parent(), root.id(), s.paths(),
                        s.hostname(), s.username(), s.uid(), s.gid(), s.excludes(), tags,
                        s.original() != null ? s.original() : s.id(), s.programVersion(), s.summary(), s.timeOffset()));
            }
            out.add(new Repaired(s, root == null ? List.of() : root.changes(), root == null, replacement, false));
        }
        if (forget && !dryRun) {
            List<Repaired> removed = new ArrayList<>();
            for (Repaired p : out) {
                repo.backend().remove(FileType.SNAPSHOT, p.damaged().id().toHex());
                removed.add(new Repaired(p.damaged(), p.changes(), p.rootMissing(), p.replacement(), true));
            }
            out = removed;
        }
        return new Result(out, intact);
    }

    /** Whether a tree is indexed and decodes (a damaged tree blob counts as missing). */
    private boolean readable(Id tree) throws IOException {
        return load(tree) != null;
    }

    private List<Node> load(Id tree) throws IOException {
        if (!repo.index().has(BlobType.TREE, tree)) {
            return null;
        }
        try {
            return Tree.decode(repo.loadBlob(BlobType.TREE, tree));
        } catch (VaultException e) {
            return null;
        }
    }

    private Rewritten rewrite(Id tree, String path) throws IOException {
        Rewritten known = done.get(tree);
        if (known != null) {
            return known.changes().isEmpty() ? known : new Rewritten(known.id(), prefixed(known.changes(), path));
        }
        List<Node> nodes = load(tree);
        List<Node> kept = new ArrayList<>(nodes.size());
        List<Change> changes = new ArrayList<>();
        for (Node n : nodes) {
            String p = path + "/" + n.displayName();
            if (n.type() == NodeType.FILE && !n.content().stream().allMatch(id -> repo.index().has(BlobType.DATA, id))) {
                changes.add(new Change(p, false));
            } else if (n.type() == NodeType.DIR && n.subtree() != null) {
                if (!readable(n.subtree())) {
                    changes.add(new Change(p, true));
                    kept.add(n.withSubtree(emptyTree()));
                } else {
                    Rewritten sub = rewrite(n.subtree(), p);
                    changes.addAll(sub.changes());
                    kept.add(sub.id().equals(n.subtree()) ? n : n.withSubtree(sub.id()));
                }
            } else {
                kept.add(n);
            }
        }
        Id id = changes.isEmpty() ? tree : save(kept);
        done.put(tree, new Rewritten(id, relative(changes, path)));
        return new Rewritten(id, changes);
    }

    private Id emptyTree() throws IOException {
        if (emptyTree == null) {
            emptyTree = save(List.of());
        }
        return emptyTree;
    }

    private Id save(List<Node> nodes) throws IOException {
        byte[] json = Tree.encode(nodes);
        Id id = Id.hash(json, 0, json.length);
        if (!dryRun) {
            repo.saveBlob(BlobType.TREE, id, json);
        }
        return id;
    }

    private static List<Change> relative(List<Change> changes, String path) {
        List<Change> out = new ArrayList<>(changes.size());
        for (Change c : changes) {
            out.add(new Change(c.path().substring(path.length()), c.directory()));
        }
        return out;
    }

    private static List<Change> prefixed(List<Change> changes, String path) {
        List<Change> out = new ArrayList<>(changes.size());
        for (Change c : changes) {
            out.add(new Change(path + c.path(), c.directory()));
        }
        return out;
    }
}
