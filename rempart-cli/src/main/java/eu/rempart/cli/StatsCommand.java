package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.crypto.MasterKey;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.pack.PackedBlob;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.NodeType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/** restic's {@code stats}: restore-size (what a restore writes) or raw-data (deduplicated stored blobs). */
@Command(name = "stats", description = "sizes of snapshots (restore-size) or of the data they reference (raw-data)")
final class StatsCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Parameters(arity = "0..*", paramLabel = "SNAPSHOT", description = "snapshots (default: all matching)")
    List<String> snapshots = new ArrayList<>();

    @Option(names = "--mode", paramLabel = "restore-size|raw-data", description = "what to count (default restore-size)")
    String mode = "restore-size";

    @Mixin
    SnapshotFilter filter = new SnapshotFilter();

    private long files;
    private long size;
    private final Set<Id> trees = new HashSet<>();
    private final Set<Id> data = new HashSet<>();

    @Override
    public Integer call() throws Exception {
        boolean raw = switch (mode) {
            case "restore-size" -> false;
            case "raw-data" -> true;
            default -> throw new CliException(ExitCodes.ERROR, "error.statsMode", mode);
        };
        try (Repository repo = cli.open(); Lock lock = cli.lock(repo, false)) {
            repo.loadIndex();
            Predicate<Snapshot> f = filter.predicate();
            List<Snapshot> selected = new ArrayList<>();
            if (snapshots.isEmpty()) {
                Snapshots.loadAll(repo).stream().filter(f).forEach(selected::add);
            } else {
                for (String s : snapshots) {
                    selected.add(Snapshots.find(repo, s, f));
                }
            }
            for (Snapshot s : selected) {
                Set<Long> inodes = new HashSet<>(); // hard links restore once (restic's rule, per snapshot)
                walk(repo, s.tree(), raw, inodes);
            }
            long blobs = 0;
            long stored = 0;
            long plain = 0;
            if (raw) {
                for (BlobType t : BlobType.values()) {
                    for (Id id : t == BlobType.TREE ? trees : data) {
                        PackedBlob pb = repo.index().lookup(t, id);
                        if (pb == null) {
                            throw new CliException(ExitCodes.ERROR, "error.blobMissing", id.shortHex());
                        }
                        blobs++;
                        stored += pb.length();
                        plain += pb.plaintextLength(MasterKey.OVERHEAD);
                    }
                }
            }
            if (cli.json) {
                ObjectNode n = Cli.JSON.createObjectNode();
                n.put("total_size", raw ? stored : size);
                if (raw) {
                    n.put("total_uncompressed_size", plain);
                    n.put("compression_ratio", stored == 0 ? 0 : (double) plain / stored);
                    n.put("total_blob_count", blobs);
                } else {
                    n.put("total_file_count", files);
                }
                n.put("snapshots_count", selected.size());
                cli.printJson(n);
                return ExitCodes.OK;
            }
            Messages m = cli.msg();
            cli.say("stats.snapshots", selected.size());
            if (raw) {
                cli.say("stats.blobs", blobs);
                cli.say("stats.uncompressed", m.bytes(plain));
                cli.say("stats.stored", m.bytes(stored));
            } else {
                cli.say("stats.files", files);
                cli.say("stats.size", m.bytes(size));
            }
        }
        return ExitCodes.OK;
    }

    private void walk(Repository repo, Id tree, boolean raw, Set<Long> inodes) throws IOException {
        if (raw && !trees.add(tree)) {
            return; // a tree already counted references only blobs already counted
        }
        for (Node n : Cli.loadTree(repo, tree)) {
            if (raw) {
                if (n.type() == NodeType.FILE) {
                    data.addAll(n.content());
                }
            } else {
                files++;
                if (n.inode() == 0 || inodes.add(n.inode())) {
                    size += n.size();
                }
            }
            if (n.type() == NodeType.DIR && n.subtree() != null) {
                walk(repo, n.subtree(), raw, inodes);
            }
        }
    }
}
