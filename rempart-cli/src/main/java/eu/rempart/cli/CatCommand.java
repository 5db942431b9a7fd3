package eu.rempart.cli;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.pack.PackedBlob;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.NodeType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * restic's {@code cat}: one file or blob of the repository as it is once decrypted, for whoever
 * investigates a repository (or checks what Rempart wrote against restic's design). Everything
 * but a pack is JSON or a file's content. {@code cat masterkey} is refused: the key that decrypts
 * every backup never goes to an output.
 */
@Command(name = "cat", description = "print a file of the repository, decrypted: config, index ID, snapshot ID, key ID, lock ID, pack ID, blob ID or tree SNAPSHOT[:PATH]")
final class CatCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Parameters(index = "0", paramLabel = "TYPE", description = "config, index, snapshot, key, lock, pack, blob or tree")
    String type;

    @Parameters(index = "1", arity = "0..1", paramLabel = "ID", description = "the file's or blob's id (a unique prefix will do); for tree, SNAPSHOT[:PATH]")
    String id;

    @Override
    public Integer call() throws Exception {
        String t = type.toLowerCase(Locale.ROOT);
        if (t.equals("masterkey")) {
            throw new CliException(ExitCodes.ERROR, "cat.masterkey");
        }
        if (!List.of("config", "index", "snapshot", "key", "lock", "pack", "blob", "tree").contains(t)) {
            throw new CliException(ExitCodes.ERROR, "cat.type", type);
        }
        if (!t.equals("config") && id == null) {
            throw new CliException(ExitCodes.ERROR, "cat.id", t);
        }
        if (t.equals("pack") && cli.console != null) {
            throw new CliException(ExitCodes.ERROR, "cat.terminal");
        }
        try (Repository repo = cli.open()) {
            byte[] out = switch (t) {
                case "config" -> repo.config().toJson();
                case "key" -> repo.backend().load(FileType.KEY, find(repo, FileType.KEY, id).toHex());
                case "lock" -> repo.loadUnpacked(FileType.LOCK, find(repo, FileType.LOCK, id));
                default -> underLock(repo, t);
            };
            cli.out.write(out);
            if (!t.equals("pack") && !t.equals("blob")) {
                cli.out.println(); // JSON ends with a newline, as restic prints it
            }
            cli.out.flush();
        }
        return ExitCodes.OK;
    }

    /**
     * What must not vanish while it is read (a prune deletes index files, packs and snapshots);
     * only a blob or tree needs the index to be found.
     */
    private byte[] underLock(Repository repo, String t) throws IOException {
        boolean byIndex = t.equals("blob") || t.equals("tree");
        try (Lock lock = byIndex ? cli.lockAndLoadIndex(repo) : cli.lock(repo, false)) {
            return switch (t) {
                case "index" -> repo.loadUnpacked(FileType.INDEX, find(repo, FileType.INDEX, id));
                case "snapshot" -> {
                    Snapshot sn = cli.snapshots(repo).find(id, s -> true);
                    yield repo.loadUnpacked(FileType.SNAPSHOT, sn.id());
                }
                case "pack" -> repo.backend().load(FileType.PACK, find(repo, FileType.PACK, id).toHex());
                case "blob" -> repo.loadBlob(blob(repo, id));
                default -> tree(repo);
            };
        }
    }

    private byte[] tree(Repository repo) throws IOException {
        int colon = id.indexOf(':');
        String ref = colon < 0 ? id : id.substring(0, colon);
        String path = colon < 0 ? "/" : id.substring(colon + 1);
        Snapshot sn = cli.snapshots(repo).find(ref, s -> true);
        Id tree = sn.tree();
        if (!path.replace("/", "").isEmpty()) {
            Node n = DumpCommand.find(repo, sn.tree(), path);
            if (n == null || n.type() != NodeType.DIR || n.subtree() == null) {
                throw new CliException(ExitCodes.ERROR, "cat.noFolder", path, sn.shortId());
            }
            tree = n.subtree();
        }
        return repo.loadBlob(BlobType.TREE, tree);
    }

    /** The one blob, data or tree, whose id starts with {@code prefix}. */
    private static PackedBlob blob(Repository repo, String prefix) {
        String p = prefix.toLowerCase(Locale.ROOT);
        List<PackedBlob> found = new ArrayList<>();
        for (PackedBlob b : repo.index().all()) {
            if (b.id().toHex().startsWith(p)) {
                found.add(b);
            }
        }
        one(found.stream().map(PackedBlob::id).distinct().toList(), "blob", prefix);
        return found.get(0);
    }

    /** The one file of this type whose name starts with {@code prefix}. */
    private Id find(Repository repo, FileType fileType, String prefix) throws IOException {
        String p = prefix.toLowerCase(Locale.ROOT);
        List<Id> found = new ArrayList<>();
        for (String name : ListCommand.idNames(repo, fileType)) {
            if (name.startsWith(p)) {
                found.add(Id.parse(name));
            }
        }
        return one(found, type.toLowerCase(Locale.ROOT), prefix);
    }

    private static Id one(List<Id> found, String what, String prefix) {
        if (prefix.isEmpty() || !prefix.matches("[0-9a-fA-F]+") || found.isEmpty()) {
            throw new CliException(ExitCodes.ERROR, "cat.notFound", what, prefix);
        }
        if (found.size() > 1) {
            throw new CliException(ExitCodes.ERROR, "cat.ambiguous", what, prefix);
        }
        return found.get(0);
    }
}
