package eu.rempart.cli;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import eu.rempart.vault.tree.ExtendedAttribute;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.NodeType;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.X5455_ExtendedTimestamp;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * restic's {@code dump}: one file of a snapshot to standard output (a database dump piped back
 * into its database), or a folder as a tar (restic's default) or zip archive ({@code --archive
 * zip}, which opens on the practices' Windows machines without any tool). The archives hold what
 * restic 0.14's hold: the folder's files, folders and symbolic links under their paths in the
 * snapshot (the folder itself has no entry), with their permissions, owners and times, and in a
 * tar their extended attributes and POSIX ACLs as GNU tar and restic write them (PAX records).
 */
@Command(name = "dump", description = "write a file of a snapshot to standard output, or a folder as a tar or zip archive")
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

    @Option(names = {"-a", "--archive"}, paramLabel = "FORMAT", description = "archive format for a folder: tar (default) or zip")
    String archive = "tar";

    @Override
    public Integer call() throws Exception {
        if (!archive.equals("tar") && !archive.equals("zip")) {
            throw new CliException(ExitCodes.ERROR, "dump.badArchive", archive);
        }
        if (target == null && cli.console != null) {
            throw new CliException(ExitCodes.ERROR, "dump.terminal");
        }
        try (Repository repo = cli.open(); Lock lock = cli.lockAndLoadIndex(repo)) {
            Snapshot sn = cli.snapshots(repo).find(snapshot, Snapshots.filter(host, null, null));
            String root = "/" + String.join("/", Arrays.stream(path.split("/")).filter(p -> !p.isEmpty()).toList());
            Node node = root.equals("/") ? null : find(repo, sn.tree(), root);
            Id tree = root.equals("/") ? sn.tree() : node == null ? null : node.subtree();
            if (!root.equals("/") && (node == null || (node.type() != NodeType.FILE && node.type() != NodeType.DIR))) {
                throw new CliException(ExitCodes.ERROR, "dump.notFound", path, sn.shortId());
            }
            OutputStream out = target == null ? cli.out : Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            try (OutputStream o = new BufferedOutputStream(out, 1 << 16)) {
                if (node != null && node.type() == NodeType.FILE) {
                    writeContent(repo, node, o);
                } else {
                    try (Archive a = archive.equals("zip") ? new Zip(new NonClosing(o)) : new Tar(new NonClosing(o))) {
                        // entries are named by their snapshot path without the leading "/", as restic names them
                        dumpTree(repo, tree, root.equals("/") ? "" : root.substring(1) + "/", a);
                    }
                }
            }
        }
        return ExitCodes.OK;
    }

    /** restic's walk: each file, folder and link in tree order, a folder before its content. */
    private static void dumpTree(Repository repo, Id tree, String prefix, Archive a) throws IOException {
        if (tree == null) {
            return;
        }
        for (Node n : Cli.loadTree(repo, tree)) {
            if (n.type() != NodeType.FILE && n.type() != NodeType.DIR && n.type() != NodeType.SYMLINK) {
                continue; // devices, fifos and sockets: restic leaves them out; restore keeps them
            }
            String name = prefix + n.displayName();
            a.add(repo, n, name);
            if (n.type() == NodeType.DIR) {
                dumpTree(repo, n.subtree(), name + "/", a);
            }
        }
    }

    /** Where a folder's entries are written. */
    private interface Archive extends java.io.Closeable {
        void add(Repository repo, Node n, String name) throws IOException;
    }

    /** restic's tar: PAX where USTAR cannot hold a field, modification times to the nearest second. */
    private static final class Tar implements Archive {
        private final TarArchiveOutputStream tar;

        Tar(OutputStream out) {
            tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name());
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
        }

        @Override
        public void add(Repository repo, Node n, String name) throws IOException {
            byte type = switch (n.type()) {
                case DIR -> TarConstants.LF_DIR;
                case SYMLINK -> TarConstants.LF_SYMLINK;
                default -> TarConstants.LF_NORMAL;
            };
            TarArchiveEntry e = new TarArchiveEntry(n.type() == NodeType.DIR ? name + "/" : name, type);
            e.setMode(n.unixPerm()); // permissions and setuid, setgid, sticky; no type bits, as Go writes it
            e.setSize(n.type() == NodeType.FILE ? n.size() : 0);
            e.setUserId(n.uid());
            e.setGroupId(n.gid());
            e.setUserName(n.user() == null ? "" : n.user());
            e.setGroupName(n.group() == null ? "" : n.group());
            e.setModTime(FileTime.from(roundedToSecond(n.mtime()), TimeUnit.SECONDS));
            if (n.type() == NodeType.SYMLINK) {
                e.setLinkName(new String(n.linkTarget(), StandardCharsets.UTF_8));
            }
            for (ExtendedAttribute x : n.xattrs()) {
                if (x.name().startsWith("system.posix_acl_")) {
                    String acl = PosixAcl.text(x.value());
                    if (!acl.isEmpty()) {
                        e.addPaxHeader(x.name().contains("system.posix_acl_access") ? "SCHILY.acl.access"
                                : "SCHILY.acl.default", acl);
                    }
                } else {
                    e.addPaxHeader("SCHILY.xattr." + x.name(), new String(x.value(), StandardCharsets.UTF_8));
                }
            }
            tar.putArchiveEntry(e);
            if (n.type() == NodeType.FILE) {
                writeContent(repo, n, tar);
            }
            tar.closeArchiveEntry();
        }

        /** Go's {@code Time.Round(time.Second)}, which its tar writer applies: halves away from zero. */
        private static long roundedToSecond(Instant t) {
            return t.getEpochSecond() + (t.getNano() >= 500_000_000 ? 1 : 0);
        }

        @Override
        public void close() throws IOException {
            tar.close();
        }
    }

    /** restic's zip: Unix permissions and type, links as their target, times as Unix seconds too. */
    private static final class Zip implements Archive {
        private final ZipArchiveOutputStream zip;

        Zip(OutputStream out) {
            zip = new ZipArchiveOutputStream(out);
            zip.setEncoding(StandardCharsets.UTF_8.name());
        }

        @Override
        public void add(Repository repo, Node n, String name) throws IOException {
            ZipArchiveEntry e = new ZipArchiveEntry(n.type() == NodeType.DIR ? name + "/" : name);
            int kind = switch (n.type()) {
                case DIR -> 0040000;
                case SYMLINK -> 0120000;
                default -> 0100000;
            };
            e.setUnixMode(kind | n.unixPerm());
            e.setTime(n.mtime().toEpochMilli());
            X5455_ExtendedTimestamp seconds = new X5455_ExtendedTimestamp();
            seconds.setModifyJavaTime(java.util.Date.from(n.mtime()));
            e.addExtraField(seconds);
            zip.putArchiveEntry(e);
            if (n.type() == NodeType.FILE) {
                writeContent(repo, n, zip);
            } else if (n.type() == NodeType.SYMLINK) {
                zip.write(n.linkTarget());
            }
            zip.closeArchiveEntry();
        }

        @Override
        public void close() throws IOException {
            zip.close();
        }
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

    /** Lets an archive finish without closing the stream under it (standard output). */
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
