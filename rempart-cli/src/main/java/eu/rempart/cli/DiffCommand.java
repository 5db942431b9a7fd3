package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.Id;
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
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * Differences between two snapshots with restic's markers: {@code +} added, {@code -} removed,
 * {@code T} type changed, {@code M} file content changed, {@code U} metadata only (with --metadata).
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

    private long added;
    private long removed;
    private long changed;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = cli.open(); Lock lock = cli.lockAndLoadIndex(repo)) {
            Snapshot a = Snapshots.find(repo, first, s -> true);
            Snapshot b = Snapshots.find(repo, second, s -> true);
            cli.say("diff.header", a.shortId(), b.shortId());
            diffTree(repo, a.tree(), b.tree(), "/");
            if (cli.json) {
                ObjectNode n = Cli.JSON.createObjectNode();
                n.put("message_type", "statistics");
                n.put("source_snapshot", a.id().toHex());
                n.put("target_snapshot", b.id().toHex());
                n.put("added", added);
                n.put("removed", removed);
                n.put("changed_files", changed);
                cli.printJson(n);
            } else {
                cli.say("diff.summary", added, removed, changed);
            }
        }
        return ExitCodes.OK;
    }

    private void diffTree(Repository repo, Id t1, Id t2, String prefix) throws IOException {
        TreeMap<String, Node[]> byName = new TreeMap<>();
        if (t1 != null) {
            for (Node n : Cli.loadTree(repo, t1)) {
                byName.computeIfAbsent(n.displayName(), k -> new Node[2])[0] = n;
            }
        }
        if (t2 != null) {
            for (Node n : Cli.loadTree(repo, t2)) {
                byName.computeIfAbsent(n.displayName(), k -> new Node[2])[1] = n;
            }
        }
        for (var e : byName.entrySet()) {
            Node n1 = e.getValue()[0];
            Node n2 = e.getValue()[1];
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
                String shown = n2.type() == NodeType.DIR ? name + "/" : name;
                if (!mod.isEmpty()) {
                    print(mod, shown);
                }
                if (n1.type() == NodeType.DIR && n2.type() == NodeType.DIR) {
                    if (!Objects.equals(n1.subtree(), n2.subtree())) {
                        diffTree(repo, n1.subtree(), n2.subtree(), name + "/");
                    }
                } else if (n1.type() == NodeType.DIR) {
                    diffTree(repo, n1.subtree(), null, name + "/");
                } else if (n2.type() == NodeType.DIR) {
                    diffTree(repo, null, n2.subtree(), name + "/");
                }
            } else if (n1 != null) {
                removed++;
                print("-", n1.type() == NodeType.DIR ? name + "/" : name);
                if (n1.type() == NodeType.DIR) {
                    diffTree(repo, n1.subtree(), null, name + "/");
                }
            } else {
                added++;
                print("+", n2.type() == NodeType.DIR ? name + "/" : name);
                if (n2.type() == NodeType.DIR) {
                    diffTree(repo, null, n2.subtree(), name + "/");
                }
            }
        }
    }

    /** Everything but content and subtree (which reflect content, compared separately). */
    static boolean sameMetadata(Node a, Node b) {
        return a.type() == b.type() && a.mode() == b.mode() && Objects.equals(a.mtime(), b.mtime())
                && Objects.equals(a.ctime(), b.ctime()) && a.uid() == b.uid() && a.gid() == b.gid()
                && Objects.equals(a.user(), b.user()) && Objects.equals(a.group(), b.group()) && a.size() == b.size()
                && a.inode() == b.inode() && a.links() == b.links() && Arrays.equals(a.linkTarget(), b.linkTarget())
                && a.xattrs().equals(b.xattrs()) && a.device() == b.device();
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
