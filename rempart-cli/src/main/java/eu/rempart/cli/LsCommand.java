package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.GoTime;
import eu.rempart.vault.Id;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import eu.rempart.vault.tree.GoFileMode;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.NodeType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.util.concurrent.Callable;

@Command(name = "ls", description = "list the files of a snapshot")
final class LsCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Parameters(index = "0", paramLabel = "SNAPSHOT", description = "snapshot id, id prefix or 'latest'")
    String snapshot;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PATH", description = "list only this path and below")
    String path;

    @Option(names = {"-l", "--long"}, description = "long format (mode, owner, size, time)")
    boolean longFormat;

    @Option(names = {"-H", "--host"}, paramLabel = "HOST", description = "with 'latest': newest snapshot of this host")
    String host;

    @Override
    public Integer call() throws Exception {
        String filter = path == null ? "/" : ("/" + path.replaceAll("^/+", "")).replaceAll("/+$", "");
        if (filter.isEmpty()) {
            filter = "/";
        }
        try (Repository repo = cli.open(); Lock lock = cli.lockAndLoadIndex(repo)) {
            Snapshot sn = cli.snapshots(repo).find(snapshot, Snapshots.filter(host, null, null));
            if (cli.json) {
                ObjectNode s = sn.toJsonNode(true);
                s.put("struct_type", "snapshot");
                cli.printJson(s);
            } else {
                cli.say("ls.header", sn.shortId(), String.join(", ", sn.paths()), SnapshotsCommand.TIME.format(sn.time()));
            }
            walk(repo, sn.tree(), "", filter);
        }
        return ExitCodes.OK;
    }

    private void walk(Repository repo, Id tree, String prefix, String filter) throws IOException {
        for (Node n : Cli.loadTree(repo, tree)) {
            String p = prefix + "/" + n.displayName();
            boolean inside = filter.equals("/") || p.equals(filter) || p.startsWith(filter + "/");
            if (inside) {
                print(n, p);
            }
            if (n.type() == NodeType.DIR && n.subtree() != null && (inside || filter.startsWith(p + "/"))) {
                walk(repo, n.subtree(), p, filter);
            }
        }
    }

    private void print(Node n, String p) {
        if (cli.json) {
            cli.printJson(nodeJson(n, p));
        } else {
            print(cli, n, p, longFormat);
        }
    }

    /** One entry as text: its path, or as restic's {@code ls -l} shows it. */
    static void print(Cli cli, Node n, String p, boolean longFormat) {
        if (longFormat) {
            cli.out.printf("%s %5d %5d %12d %s %s%n", GoFileMode.toString(n.mode()), n.uid(), n.gid(), n.size(),
                    SnapshotsCommand.TIME.format(n.mtime()), p);
        } else {
            cli.out.println(p);
        }
    }

    static ObjectNode nodeJson(Node n, String p) {
        ObjectNode o = Cli.JSON.createObjectNode();
        o.put("name", n.displayName());
        o.put("type", n.type().json());
        o.put("path", p);
        o.put("uid", n.uid());
        o.put("gid", n.gid());
        if (n.type() == NodeType.FILE) {
            o.put("size", n.size());
        }
        if (n.type() == NodeType.SYMLINK && n.linkTarget() != null) {
            o.put("link_target", new String(n.linkTarget(), java.nio.charset.StandardCharsets.UTF_8));
        }
        o.put("mode", n.mode());
        o.put("permissions", GoFileMode.toString(n.mode()));
        o.put("mtime", GoTime.format(n.mtime()));
        o.put("atime", GoTime.format(n.atime()));
        o.put("ctime", GoTime.format(n.ctime()));
        o.put("struct_type", "node");
        return o;
    }
}
