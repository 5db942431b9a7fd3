package eu.rempart.cli;

import eu.rempart.vault.BlobType;
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

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * restic's {@code dump}: one file of a snapshot to standard output (a database dump piped back
 * into its database), or a folder as a zip archive. restic writes tar by default; a zip opens on
 * the practices' Windows machines without any tool.
 */
@Command(name = "dump", description = "write a file of a snapshot to standard output, or a folder as a zip archive")
final class DumpCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Parameters(index = "0", paramLabel = "SNAPSHOT", description = "snapshot id, id prefix or 'latest'")
    String snapshot;

    @Parameters(index = "1", paramLabel = "PATH", description = "the file or folder, as ls shows it")
    String path;

    @Option(names = {"-t", "--target"}, paramLabel = "FILE", description = "write to this file instead of standard output")
    Path target;

    @Option(names = {"-H", "--host"}, paramLabel = "HOST", description = "with 'latest': newest snapshot of this host")
    String host;

    @Override
    public Integer call() throws Exception {
        if (target == null && cli.console != null) {
            throw new CliException(ExitCodes.ERROR, "dump.terminal");
        }
        try (Repository repo = cli.open(); Lock lock = cli.lockAndLoadIndex(repo)) {
            Snapshot sn = Snapshots.find(repo, snapshot, Snapshots.filter(host, null, null));
            Node node = find(repo, sn.tree(), path);
            if (node == null || (node.type() != NodeType.FILE && node.type() != NodeType.DIR)) {
                throw new CliException(ExitCodes.ERROR, "dump.notFound", path, sn.shortId());
            }
            OutputStream out = target == null ? cli.out : Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            try (OutputStream o = new BufferedOutputStream(out, 1 << 16)) {
                if (node.type() == NodeType.FILE) {
                    writeContent(repo, node, o);
                } else {
                    try (ZipOutputStream zip = new ZipOutputStream(new NonClosing(o))) {
                        zipFolder(repo, node, node.displayName() + "/", zip);
                    }
                }
            }
        }
        return ExitCodes.OK;
    }

    /** The entry at {@code path} ("/a/b", as ls prints it) below {@code root}, or null. */
    static Node find(Repository repo, Id root, String path) throws IOException {
        Id tree = root;
        Node found = null;
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (tree == null) {
                return null;
            }
            found = null;
            for (Node n : Cli.loadTree(repo, tree)) {
                if (n.displayName().equals(part)) {
                    found = n;
                    break;
                }
            }
            if (found == null) {
                return null;
            }
            tree = found.type() == NodeType.DIR ? found.subtree() : null;
        }
        return found;
    }

    private static void writeContent(Repository repo, Node file, OutputStream out) throws IOException {
        for (Id blob : file.content()) {
            out.write(repo.loadBlob(BlobType.DATA, blob));
        }
    }

    private static void zipFolder(Repository repo, Node dir, String prefix, ZipOutputStream zip) throws IOException {
        ZipEntry d = new ZipEntry(prefix);
        d.setLastModifiedTime(FileTime.from(dir.mtime()));
        zip.putNextEntry(d);
        zip.closeEntry();
        List<Node> nodes = dir.subtree() == null ? List.of() : Cli.loadTree(repo, dir.subtree());
        for (Node n : nodes) {
            if (n.type() == NodeType.DIR) {
                zipFolder(repo, n, prefix + n.displayName() + "/", zip);
            } else if (n.type() == NodeType.FILE) {
                ZipEntry e = new ZipEntry(prefix + n.displayName());
                e.setLastModifiedTime(FileTime.from(n.mtime()));
                zip.putNextEntry(e);
                writeContent(repo, n, zip);
                zip.closeEntry();
            }
            // links and special files have no place in a zip; restore keeps them
        }
    }

    /** Lets the zip finish its directory without closing the stream under it (standard output). */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
