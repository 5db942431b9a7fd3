package eu.rempart.vault.rewrite;

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
 * Rewrites snapshots by a {@link Rule}. Each snapshot the rule changes gets a new snapshot with
 * the same time, host, paths and tags (plus an optional tag), and its original's id in
 * {@code original}; with {@code forget} the old one is then removed. New trees are stored and
 * flushed before any snapshot names them, and snapshots are written before any is removed, so a
 * run killed at any point leaves every snapshot whole. The caller holds the lock ({@code forget}:
 * the exclusive one).
 */
public final class SnapshotRewriter {
    /** What becomes of an entry. */
    public enum Action {
        KEEP,
        /** The entry is removed from its folder. */
        REMOVE,
        /** The folder is kept, empty. */
        EMPTY
    }

    /** Decides, entry by entry, what a rewrite keeps. */
    public interface Rule {
        /** For an entry at {@code path} (absolute, '/'-separated); a kept folder's tree is rewritten next. */
        Action decide(Node node, String path);

        /** For a kept folder whose tree cannot be read: {@link Action#EMPTY}, or throw. */
        Action missingTree(Node folder, String path);

        /** Whether {@link #decide} looks at paths; if not, a tree is rewritten once wherever it appears. */
        boolean usesPaths();
    }

    /**
     * restic's {@code rewrite --exclude}: removes every entry (and everything below a folder) that
     * the patterns exclude, as a backup with them would have left it out. A folder whose tree
     * cannot be read is an error: rewriting must not hide damage ({@code repair snapshots} does that).
     */
    public static Rule excluding(eu.rempart.vault.archiver.Excludes excludes) {
        return new Rule() {
            @Override
            public Action decide(Node node, String path) {
                return excludes.excluded(List.of(path.substring(1).split("/"))) ? Action.REMOVE : Action.KEEP;
            }

            @Override
            public Action missingTree(Node folder, String path) {
                throw new VaultException("tree of " + path + " is missing or damaged; run check, then repair");
            }

            @Override
            public boolean usesPaths() {
                return true;
            }
        };
    }

    /** An entry the rewrite took out: removed, or (a folder) emptied. */
    public record Change(String path, boolean directory, Action action) {
    }

    /**
     * One changed snapshot: what was taken out, the snapshot written in its place (null in a dry
     * run, or if its root tree is missing) and whether it was removed.
     */
    public record Rewritten(Snapshot old, List<Change> changes, boolean rootMissing, Id replacement, boolean removed) {
        public Rewritten {
            changes = List.copyOf(changes);
        }
    }

    public record Result(List<Rewritten> rewritten, int unchanged) {
        public Result {
            rewritten = List.copyOf(rewritten);
        }
    }

    private record Tree2(Id id, List<Change> changes) {
    }

    private final Repository repo;
    private final Rule rule;
    private final boolean dryRun;
    /** Trees already rewritten (keyed by id, and path when the rule uses paths): new id, changes below. */
    private final Map<String, Tree2> done = new HashMap<>();
    private Id emptyTree;

    private SnapshotRewriter(Repository repo, Rule rule, boolean dryRun) {
        this.repo = repo;
        this.rule = rule;
        this.dryRun = dryRun;
    }

    /**
     * @param tag added to each new snapshot (null: none)
     */
    public static Result run(Repository repo, List<Snapshot> snapshots, Rule rule, String tag, boolean forget,
            boolean dryRun) throws IOException {
        repo.loadIndex();
        SnapshotRewriter w = new SnapshotRewriter(repo, rule, dryRun);
        List<Snapshot> changed = new ArrayList<>();
        List<Tree2> roots = new ArrayList<>();
        int unchanged = 0;
        for (Snapshot s : snapshots) {
            Tree2 root = w.rewrite(s.tree(), "");
            if (root != null && root.changes().isEmpty()) {
                unchanged++;
            } else {
                changed.add(s);
                roots.add(root);
            }
        }
        if (!dryRun) {
            repo.flush(); // the new trees and their index before any snapshot names them
        }
        List<Rewritten> out = new ArrayList<>();
        for (int i = 0; i < changed.size(); i++) {
            Snapshot s = changed.get(i);
            Tree2 root = roots.get(i);
            Id replacement = null;
            if (root != null && !dryRun) {
                List<String> tags = new ArrayList<>(s.tags());
                if (tag != null && !tags.contains(tag)) {
                    tags.add(tag);
                }
                replacement = Snapshots.save(repo, s.rewritten(root.id(), tags));
            }
            out.add(new Rewritten(s, root == null ? List.of() : root.changes(), root == null, replacement, false));
        }
        if (forget && !dryRun) {
            List<Rewritten> removed = new ArrayList<>();
            for (Rewritten r : out) {
                repo.backend().remove(FileType.SNAPSHOT, r.old().id().toHex());
                removed.add(new Rewritten(r.old(), r.changes(), r.rootMissing(), r.replacement(), true));
            }
            out = removed;
        }
        return new Result(out, unchanged);
    }

    /** A tree's entries, or null if it is not indexed or does not decode (a damaged blob). */
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

    /** The tree rewritten, or null if it cannot be read. */
    private Tree2 rewrite(Id tree, String path) throws IOException {
        String key = rule.usesPaths() ? tree.toHex() + path : tree.toHex();
        Tree2 known = done.get(key);
        if (known != null) {
            return known.changes().isEmpty() ? known : new Tree2(known.id(), moved(known.changes(), "", path));
        }
        List<Node> nodes = load(tree);
        if (nodes == null) {
            return null;
        }
        List<Node> kept = new ArrayList<>(nodes.size());
        List<Change> changes = new ArrayList<>();
        for (Node n : nodes) {
            String p = path + "/" + n.displayName();
            boolean dir = n.type() == NodeType.DIR && n.subtree() != null;
            Action a = rule.decide(n, p);
            Tree2 sub = null;
            if (a == Action.KEEP && dir) {
                sub = rewrite(n.subtree(), p);
                if (sub == null) {
                    a = rule.missingTree(n, p);
                }
            }
            switch (a) {
                case REMOVE -> changes.add(new Change(p, n.type() == NodeType.DIR, a));
                case EMPTY -> {
                    changes.add(new Change(p, true, a));
                    kept.add(n.withSubtree(emptyTree()));
                }
                case KEEP -> {
                    if (sub != null) {
                        changes.addAll(sub.changes());
                    }
                    kept.add(sub == null || sub.id().equals(n.subtree()) ? n : n.withSubtree(sub.id()));
                }
            }
        }
        Id id = changes.isEmpty() ? tree : save(kept);
        done.put(key, new Tree2(id, moved(changes, path, "")));
        return new Tree2(id, changes);
    }

    private Id emptyTree() throws IOException {
        if (emptyTree == null) {
            emptyTree = save(List.of());
        }
        return emptyTree;
    }

    private Id save(List<Node> nodes) throws IOException {
        byte[] json = Tree.encode(nodes);
        Id id = Id.hash(json);
        if (!dryRun) {
            repo.saveBlob(BlobType.TREE, id, json);
        }
        return id;
    }

    /** The changes with {@code from} at the start of their paths replaced by {@code to}. */
    private static List<Change> moved(List<Change> changes, String from, String to) {
        List<Change> out = new ArrayList<>(changes.size());
        for (Change c : changes) {
            out.add(new Change(to + c.path().substring(from.length()), c.directory(), c.action()));
        }
        return out;
    }
}
