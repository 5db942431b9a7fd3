package eu.rempart.sentinel.recover;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.crypto.MasterKey;
import eu.rempart.vault.fs.FileKind;
import eu.rempart.vault.fs.FileNames;
import eu.rempart.vault.fs.FileStat;
import eu.rempart.vault.fs.FileSystemAccess;
import eu.rempart.vault.pack.PackedBlob;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.restorer.Restorer;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.SnapshotSummary;
import eu.rempart.vault.snapshot.Snapshots;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.NodeType;
import eu.rempart.vault.tree.Tree;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rolls the files changed since a time back to the newest snapshot taken before it.
 *
 * <p>An entry counts as changed when its ctime or mtime is at or after {@code since} (ctime cannot
 * be set from user space, so resetting mtime does not hide an encryption) and it differs from the
 * snapshot: another type or size, other permissions or mtime, or other content (hashed against the
 * snapshot's blob ids). Comparing content keeps a second run from redoing the first one's work:
 * restored files have a new ctime but are identical. An entry whose times are both older than
 * {@code since} is only checked for type and size, without reading it.
 *
 * <p>Rules: changed snapshot entries are quarantined and restored; missing ones are restored;
 * entries absent from the snapshot are quarantined if changed since {@code since} (encrypted
 * copies, ransom notes, but also legitimate new files: they are reported as not restorable so the
 * user can take them back from the quarantine), and left alone otherwise (excluded from the backup
 * or created before {@code since}: the attack did not touch them). Directories absent from the
 * snapshot are descended into rather than moved wholesale, so their untouched content stays.
 * Ownership is not compared (only root could restore it).
 */
public final class Recovery {
    private final Repository repo;
    private final RecoverOptions opts;
    private final Instant since;
    private final Restorer restorer;
    private final Quarantine quarantine;

    private final List<String> restored = new ArrayList<>();
    private final List<RecoverReport.NotRestorable> notRestorable = new ArrayList<>();
    private final List<RecoverReport.Quarantined> plannedQuarantine = new ArrayList<>();
    private final List<String> leftAlone = new ArrayList<>();
    private final List<RecoverReport.PathError> errors = new ArrayList<>();
    private long unchanged;

    private Recovery(Repository repo, RecoverOptions opts) {
        this.repo = repo;
        this.opts = opts;
        this.since = opts.since();
        // Restored files are read back and checked: after an attack, a silent bad restore is the worst case.
        this.restorer = Restorer.forEntries(repo, true);
        this.quarantine = new Quarantine(opts.quarantine());
    }

    /**
     * Runs the recovery. The repository's index must be loaded (and the caller should hold a lock).
     *
     * @throws NoSnapshotBeforeException if no snapshot of the host taken before {@code since} covers the paths
     * @throws IOException               if the repository cannot be read, or the disk is full
     */
    public static RecoverReport run(Repository repo, RecoverOptions opts) throws IOException {
        // a damaged snapshot file must not stand in the way of a rollback: the others are there
        return run(repo, Snapshots.list(repo).snapshots(), opts);
    }

    /** {@link #run(Repository, RecoverOptions)} choosing among these snapshots, oldest first. */
    public static RecoverReport run(Repository repo, List<Snapshot> snapshots, RecoverOptions opts) throws IOException {
        Snapshot sn = referenceSnapshot(snapshots, opts);
        return new Recovery(repo, opts).recover(sn);
    }

    /** The newest snapshot of the host taken strictly before {@code since} whose paths cover the requested ones. */
    static Snapshot referenceSnapshot(List<Snapshot> oldestFirst, RecoverOptions opts) throws NoSnapshotBeforeException {
        Snapshot best = null;
        for (Snapshot s : oldestFirst) {
            boolean hostOk = opts.host() == null || opts.host().isEmpty() || opts.host().equals(s.hostname());
            if (hostOk && s.time().isBefore(opts.since()) && covers(s, opts.paths())) {
                best = s;
            }
        }
        if (best == null) {
            throw new NoSnapshotBeforeException(opts.since());
        }
        return best;
    }

    private static boolean covers(Snapshot s, List<Path> paths) {
        for (Path p : paths) {
            boolean covered = false;
            for (String sp : s.paths()) {
                if (p.startsWith(Path.of(sp))) {
                    covered = true;
                    break;
                }
            }
            if (!covered) {
                return false;
            }
        }
        return true;
    }

    private RecoverReport recover(Snapshot sn) throws IOException {
        List<Path> scope = opts.paths().isEmpty() ? sn.paths().stream().map(Path::of).toList() : opts.paths();
        try {
            for (Path p : scope) {
                Node n = locate(sn, p);
                List<Pending> dirs = new ArrayList<>();
                visit(n, p, dirs);
                restorer.flush(); // files from a remote vault are written now, before their folders' metadata
                finishDirs(dirs);
            }
        } finally {
            if (!opts.dryRun()) {
                quarantine.writeManifest(sn.id().toHex(), since);
            }
        }
        for (SnapshotSummary.FileError e : restorer.result().errors()) {
            errors.add(new RecoverReport.PathError(e.path(), e.message()));
        }
        return new RecoverReport(sn.id().toHex(), sn.time(), since, opts.dryRun(), display(quarantine.root()),
                restored, opts.dryRun() ? plannedQuarantine : quarantine.moved(), notRestorable, leftAlone,
                unchanged, errors);
    }

    /**
     * The snapshot's node for the absolute path {@code p}, or null if the snapshot does not hold it.
     * A snapshot of an absolute target holds it at its whole path; one of a relative target
     * ({@code backup docs}, by restic or Rempart) under a tail of its path ({@code /docs}), so
     * the tails of the snapshot path covering {@code p} are tried next, longest first.
     */
    private Node locate(Snapshot sn, Path p) throws IOException {
        Node n = locate(sn.tree(), p);
        for (String s : sn.paths()) {
            Path sp = Path.of(s);
            if (n != null || !p.startsWith(sp)) {
                continue;
            }
            Path below = sp.relativize(p);
            int count = sp.getNameCount();
            for (int k = count - 1; k >= 0 && n == null; k--) {
                Path tail = k == 0 ? below : sp.subpath(count - k, count).resolve(below);
                // k = 0 is "." backed up: its entries are at the top, and it has no node of its own
                n = tail.toString().isEmpty() ? null : locate(sn.tree(), tail);
            }
        }
        return n;
    }

    /** The node at {@code p}'s names from {@code rootTree} down, or null. */
    private Node locate(Id rootTree, Path p) throws IOException {
        Id tree = rootTree;
        Node found = null;
        for (Path name : p) {
            if (tree == null) {
                return null;
            }
            found = child(tree, FileNames.nameBytes(name));
            if (found == null) {
                return null;
            }
            tree = found.type() == NodeType.DIR ? found.subtree() : null;
        }
        return found;
    }

    private Node child(Id tree, byte[] name) throws IOException {
        for (Node n : loadTree(tree)) {
            if (n.nameEquals(name)) {
                return n;
            }
        }
        return null;
    }

    private List<Node> loadTree(Id id) throws IOException {
        return Tree.decode(repo.loadBlob(BlobType.TREE, id));
    }

    /** A directory whose snapshot metadata is applied last, deepest first, once its content is settled. */
    private record Pending(Path path, Node node) {
    }

    /** @return true if anything at or below p was (or, in a dry run, would be) changed */
    private boolean visit(Node n, Path p, List<Pending> dirs) throws IOException {
        try {
            return visitChecked(n, p, dirs);
        } catch (IOException | VaultException e) {
            if (e instanceof IOException io && noSpaceLeft(io)) {
                throw io;
            }
            // One unreadable folder or file (permissions, I/O error, a damaged tree in the repository)
            // must not stop the rest of the recovery: it is reported and the exit code says so.
            errors.add(new RecoverReport.PathError(display(p), describe(e)));
            return false;
        }
    }

    private static boolean noSpaceLeft(IOException e) {
        return e.getMessage() != null && e.getMessage().contains("No space left on device");
    }

    private boolean visitChecked(Node n, Path p, List<Pending> dirs) throws IOException {
        FileStat live = stat(p);
        if (n == null) {
            return visitUnknown(p, live, dirs);
        }
        if (live == null) {
            restoreMissing(n, p, dirs);
            return true;
        }
        if (kindOf(n.type()) != live.kind()) {
            if (!moveToQuarantine(p)) {
                return false;
            }
            restoreMissing(n, p, dirs);
            return true;
        }
        if (n.type() == NodeType.DIR) {
            boolean touched = false;
            Map<String, byte[]> liveNames = new LinkedHashMap<>();
            for (byte[] name : listNames(p)) {
                liveNames.put(key(name), name);
            }
            for (Node c : loadTree(n.subtree())) {
                byte[] name = c.name();
                liveNames.remove(key(name));
                touched |= visit(c, FileNames.resolve(p, name), dirs);
            }
            for (byte[] name : liveNames.values()) {
                touched |= visit(null, FileNames.resolve(p, name), dirs);
            }
            boolean metaDiffers = live.mode() != n.unixPerm() || !live.mtime().equals(n.mtime());
            if (touched || (recent(live) && metaDiffers)) {
                dirs.add(new Pending(p, n));
                return true;
            }
            unchanged++;
            return false;
        }
        if (!differs(n, p, live)) {
            unchanged++;
            return false;
        }
        if (!moveToQuarantine(p)) {
            return false;
        }
        restoreEntry(n, p);
        return true;
    }

    private boolean visitUnknown(Path p, FileStat live, List<Pending> dirs) throws IOException {
        if (live == null) {
            return false;
        }
        if (live.kind() == FileKind.DIRECTORY) {
            boolean touched = false;
            for (byte[] name : listNames(p)) {
                touched |= visit(null, FileNames.resolve(p, name), dirs);
            }
            return touched;
        }
        if (!recent(live)) {
            leftAlone.add(display(p));
            return false;
        }
        if (moveToQuarantine(p)) {
            notRestorable.add(new RecoverReport.NotRestorable(display(p), RecoverReport.NO_EARLIER_VERSION));
        }
        return true;
    }

    /** Puts back an entry (and, for a directory, all it held) that is not on disk any more. */
    private void restoreMissing(Node n, Path p, List<Pending> dirs) throws IOException {
        if (n.type() != NodeType.DIR) {
            restoreEntry(n, p);
            return;
        }
        restoreEntry(n, p);
        if (n.subtree() == null) {
            return;
        }
        for (Node c : loadTree(n.subtree())) {
            restoreMissing(c, FileNames.resolve(p, c.name()), dirs);
        }
        if (!opts.dryRun()) {
            dirs.add(new Pending(p, n)); // writing its children changed its mtime
        }
    }

    private void restoreEntry(Node n, Path p) throws IOException {
        restored.add(display(p));
        if (opts.dryRun()) {
            return;
        }
        Path parent = p.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            Files.createDirectories(parent); // above the scope root: no snapshot metadata to apply here
        }
        restorer.restoreEntry(n, p);
    }

    private void finishDirs(List<Pending> dirs) throws IOException {
        if (opts.dryRun()) {
            return;
        }
        // Listed after their content (post-order): once nothing is written below a directory any
        // more, its mtime and mode can be set for good.
        for (Pending d : dirs) {
            restorer.restoreEntry(d.node(), d.path());
        }
    }

    /** @return false if the entry could not be moved (then it is left in place and reported) */
    private boolean moveToQuarantine(Path p) {
        if (opts.dryRun()) {
            plannedQuarantine.add(new RecoverReport.Quarantined(display(p), display(quarantine.target(p))));
            return true;
        }
        try {
            quarantine.move(p);
            return true;
        } catch (IOException | RuntimeException e) {
            errors.add(new RecoverReport.PathError(display(p), "cannot move to quarantine: " + describe(e)));
            return false;
        }
    }

    private boolean recent(FileStat s) {
        return !s.ctime().isBefore(since) || !s.mtime().isBefore(since);
    }

    /** Does the live entry differ from the snapshot node (same kind)? */
    private boolean differs(Node n, Path p, FileStat live) throws IOException {
        if (n.type() == NodeType.FILE && live.size() != n.size()) {
            return true;
        }
        if (!recent(live)) {
            return false;
        }
        switch (n.type()) {
            case FILE:
                return live.mode() != n.unixPerm() || !live.mtime().equals(n.mtime()) || !sameContent(n, p);
            case SYMLINK:
                byte[] target = n.linkTarget() == null ? new byte[0] : n.linkTarget();
                return !Arrays.equals(FileSystemAccess.readLink(p), target);
            default:
                // fifos, devices: nothing to compare but their mode
                return live.mode() != n.unixPerm();
        }
    }

    /** Hashes the live file blob by blob, with the snapshot's blob boundaries, against its blob ids. */
    private boolean sameContent(Node n, Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            for (Id id : n.content()) {
                PackedBlob pb = repo.index().lookup(BlobType.DATA, id);
                if (pb == null) {
                    return false; // cannot tell: restoring will report the missing blob
                }
                byte[] data = in.readNBytes(pb.plaintextLength(MasterKey.OVERHEAD));
                MessageDigest md = Id.sha256();
                md.update(data);
                if (!Id.fromDigest(md).equals(id)) {
                    return false;
                }
            }
            return in.read() < 0;
        }
    }

    private static FileKind kindOf(NodeType t) {
        switch (t) {
            case DIR: return FileKind.DIRECTORY;
            case SYMLINK: return FileKind.SYMLINK;
            case FIFO: return FileKind.FIFO;
            case DEV: return FileKind.BLOCK_DEVICE;
            case CHARDEV: return FileKind.CHAR_DEVICE;
            case SOCKET: return FileKind.SOCKET;
            case FILE: return FileKind.FILE;
            default: return FileKind.OTHER;
        }
    }

    private static FileStat stat(Path p) throws IOException {
        try {
            return FileSystemAccess.lstat(p);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static List<byte[]> listNames(Path dir) throws IOException {
        return FileSystemAccess.listNames(dir);
    }

    /** Raw name bytes as a map key (byte[] has identity equality). */
    private static String key(byte[] name) {
        return new String(name, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    static String display(Path p) {
        return FileNames.display(FileNames.pathBytes(p));
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
