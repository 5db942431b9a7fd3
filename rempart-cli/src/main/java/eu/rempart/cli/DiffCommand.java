package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.BlobHandle;
import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.crypto.MasterKey;
import eu.rempart.vault.pack.PackedBlob;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.NodeType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * Differences between two snapshots with restic's markers: {@code +} added, {@code -} removed,
 * {@code T} type changed, {@code M} file content changed, {@code U} metadata only (with --metadata);
 * then restic's statistics: nodes added and removed, and the blobs only one snapshot uses.
 */
@Command(name = "diff", description = "show the differences between two snapshots")
final class DiffCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Parameters(index = "0", paramLabel = "SNAPSHOT1", description = "the older snapshot: id, id prefix or 'latest'")
    String first;

    @Parameters(index = "1", paramLabel = "SNAPSHOT2", description = "the newer snapshot: id, id prefix or 'latest'")
    String second;

    @Option(names = "--metadata", description = "also show files whose metadata changed (U)")
    boolean metadata;

    private final Side added = new Side();
    private final Side removed = new Side();
    private long changed;
    /** Blobs under what changed, on each side, and under subtrees both snapshots share. */
    private final Set<BlobHandle> before = new HashSet<>();
    private final Set<BlobHandle> after = new HashSet<>();
    private final Set<BlobHandle> common = new HashSet<>();

    /** restic's DiffStat: the nodes one snapshot has that the other lacks, and the blobs only it uses. */
    private static final class Side {
        long files;
        long dirs;
        long others;
        long dataBlobs;
        long treeBlobs;
        long bytes;

        void count(Node n) {
            switch (n.type()) {
                case FILE -> files++;
                case DIR -> dirs++;
                default -> others++;
            }
        }

        /**
         * Counts the blobs and their plaintext size, as the index records it; a blob the index
         * lacks is counted without a size and passed to {@code missing}, as restic warns of it.
         */
        void countBlobs(Repository repo, Set<BlobHandle> blobs, java.util.function.Consumer<BlobHandle> missing) {
            for (BlobHandle b : blobs) {
                if (b.type() == BlobType.DATA) {
                    dataBlobs++;
                } else {
                    treeBlobs++;
                }
                PackedBlob p = repo.index().lookup(b.type(), b.id());
                if (p != null) {
                    bytes += p.plaintextLength(MasterKey.OVERHEAD);
                } else {
                    missing.accept(b);
                }
            }
        }

        ObjectNode json() {
            ObjectNode n = Cli.JSON.createObjectNode();
            n.put("files", files);
            n.put("dirs", dirs);
            n.put("others", others);
            n.put("data_blobs", dataBlobs);
            n.put("tree_blobs", treeBlobs);
            n.put("bytes", bytes);
            return n;
        }
    }

    @Override
    public Integer call() throws Exception {
        try (Repository repo = cli.open(); Lock lock = cli.lockAndLoadIndex(repo)) {
            Snapshots.Listing listing = cli.snapshots(repo);
            Snapshot a = listing.find(first, s -> true);
            Snapshot b = listing.find(second, s -> true);
            cli.say("diff.header", a.shortId(), b.shortId());
            before.add(new BlobHandle(a.tree(), BlobType.TREE));
            after.add(new BlobHandle(b.tree(), BlobType.TREE));
            diffTree(repo, a.tree(), b.tree(), "/");
            // As restic counts them: blobs on one side only, leaving out those under shared subtrees.
            Set<BlobHandle> both = new HashSet<>(before);
            both.retainAll(after);
            before.removeAll(both);
            before.removeAll(common);
            after.removeAll(both);
            after.removeAll(common);
            java.util.function.Consumer<BlobHandle> missing = h -> cli.err.println("rempart: "
                    + cli.msg().get("diff.blobSizeUnknown", h.type().name().toLowerCase(java.util.Locale.ROOT),
                            h.id().toHex()));
            removed.countBlobs(repo, before, missing);
            added.countBlobs(repo, after, missing);
            if (cli.json) {
                ObjectNode n = Cli.JSON.createObjectNode();
                n.put("message_type", "statistics");
                n.put("source_snapshot", a.id().toHex());
                n.put("target_snapshot", b.id().toHex());
                n.put("changed_files", changed);
                n.set("added", added.json());
                n.set("removed", removed.json());
                cli.printJson(n);
            } else if (!cli.quiet) {
                Messages m = cli.msg();
                cli.out.println();
                cli.out.println(m.get("diff.files", added.files, removed.files, changed));
                cli.out.println(m.get("diff.dirs", added.dirs, removed.dirs));
                cli.out.println(m.get("diff.others", added.others, removed.others));
                cli.out.println(m.get("diff.dataBlobs", added.dataBlobs, removed.dataBlobs));
                cli.out.println(m.get("diff.treeBlobs", added.treeBlobs, removed.treeBlobs));
                cli.out.println(m.get("diff.addedBytes", m.bytes(added.bytes)));
                cli.out.println(m.get("diff.removedBytes", m.bytes(removed.bytes)));
            }
        }
        return ExitCodes.OK;
    }

    /** Compares two trees as restic 0.14 does, so that both print and count the same. */
    private void diffTree(Repository repo, Id t1, Id t2, String prefix) throws IOException {
        TreeMap<String, Node[]> byName = new TreeMap<>();
        for (Node n : Cli.loadTree(repo, t1)) {
            byName.computeIfAbsent(n.displayName(), k -> new Node[2])[0] = n;
        }
        for (Node n : Cli.loadTree(repo, t2)) {
            byName.computeIfAbsent(n.displayName(), k -> new Node[2])[1] = n;
        }
        for (var e : byName.entrySet()) {
            Node n1 = e.getValue()[0];
            Node n2 = e.getValue()[1];
            addBlobs(before, n1);
            addBlobs(after, n2);
            String name = prefix + e.getKey();
            if (n1 != null && n2 != null) {
                String mod = "";
                if (n1.type() != n2.type()) {
                    mod += "T";
                }
                if (n1.type() == NodeType.FILE && n2.type() == NodeType.FILE && !Objects.equals(n1.content(), n2.content())) {
                    mod += "M";
                    changed++;
                } else if (metadata && !sameMetadata(n1, n2)) {
                    mod += "U";
                }
                if (!mod.isEmpty()) {
                    print(mod, n2.type() == NodeType.DIR ? name + "/" : name);
                }
                // A folder that became something else (or the reverse) is one T line, as in restic.
                if (n1.type() == NodeType.DIR && n2.type() == NodeType.DIR) {
                    if (Objects.equals(n1.subtree(), n2.subtree())) {
                        collect(repo, n1.subtree());
                    } else {
                        diffTree(repo, n1.subtree(), n2.subtree(), name + "/");
                    }
                }
            } else if (n1 != null) {
                listAll(repo, "-", n1, name, removed, before);
            } else {
                listAll(repo, "+", n2, name, added, after);
            }
        }
    }

    /** Prints and counts a node only one side has and, for a folder, everything under it. */
    private void listAll(Repository repo, String mod, Node n, String name, Side side, Set<BlobHandle> blobs)
            throws IOException {
        boolean dir = n.type() == NodeType.DIR;
        print(mod, dir ? name + "/" : name);
        side.count(n);
        addBlobs(blobs, n);
        if (dir) {
            for (Node child : Cli.loadTree(repo, n.subtree())) {
                listAll(repo, mod, child, name + "/" + child.displayName(), side, blobs);
            }
        }
    }

    /** Adds every blob under a subtree both snapshots share to {@link #common}. */
    private void collect(Repository repo, Id tree) throws IOException {
        for (Node n : Cli.loadTree(repo, tree)) {
            addBlobs(common, n);
            if (n.type() == NodeType.DIR) {
                collect(repo, n.subtree());
            }
        }
    }

    /** A file's content blobs, a folder's own tree blob (not those below it). */
    private static void addBlobs(Set<BlobHandle> blobs, Node n) {
        if (n == null) {
            return;
        }
        if (n.type() == NodeType.FILE) {
            for (Id id : n.content()) {
                blobs.add(new BlobHandle(id, BlobType.DATA));
            }
        } else if (n.type() == NodeType.DIR) {
            blobs.add(new BlobHandle(n.subtree(), BlobType.TREE));
        }
    }

    /**
     * restic's {@code Node.Equals}: every field, access time, content and subtree included. A folder
     * whose contents changed is therefore U with --metadata, as in restic.
     */
    static boolean sameMetadata(Node a, Node b) {
        return a.type() == b.type() && a.mode() == b.mode() && Objects.equals(a.mtime(), b.mtime())
                && Objects.equals(a.atime(), b.atime()) && Objects.equals(a.ctime(), b.ctime())
                && a.uid() == b.uid() && a.gid() == b.gid() && Objects.equals(a.user(), b.user())
                && Objects.equals(a.group(), b.group()) && a.inode() == b.inode() && a.deviceId() == b.deviceId()
                && a.size() == b.size() && a.links() == b.links() && Arrays.equals(a.linkTarget(), b.linkTarget())
                && a.device() == b.device() && Objects.equals(a.content(), b.content())
                && a.xattrs().equals(b.xattrs()) && Objects.equals(a.subtree(), b.subtree())
                && Objects.equals(a.error(), b.error());
    }

    private void print(String mod, String path) {
        if (cli.json) {
            ObjectNode n = Cli.JSON.createObjectNode();
            n.put("message_type", "change");
            n.put("path", path);
            n.put("modifier", mod);
            cli.printJson(n);
        } else if (!cli.quiet) {
            cli.out.printf("%-5s%s%n", mod, path);
        }
    }

}
