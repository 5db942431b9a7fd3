package eu.rempart.vault.restorer;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.archiver.Archiver;
import eu.rempart.vault.archiver.Excludes;
import eu.rempart.vault.crypto.MasterKey;
import eu.rempart.vault.fs.FileKind;
import eu.rempart.vault.fs.FileNames;
import eu.rempart.vault.fs.FileStat;
import eu.rempart.vault.fs.FileSystemAccess;
import eu.rempart.vault.fs.Xattr;
import eu.rempart.vault.pack.PackedBlob;
import eu.rempart.vault.fs.DirectFiles;
import eu.rempart.vault.repository.PackMissingException;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.SnapshotSummary;
import eu.rempart.vault.tree.ExtendedAttribute;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.NodeType;
import eu.rempart.vault.tree.Tree;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;

/**
 * Restores a snapshot into a directory: walks the trees on one thread, writes files on a pool
 * of workers (from a disk file by file, bounded by permits; from a remote store pack by pack, see
 * {@link PackRestorer}), recreates hard links, symlinks and special files, and sets directory
 * metadata last, deepest first, so writing files does not change it again.
 */
public final class Restorer {
    private final Repository repo;
    private final RestoreOptions opts;
    private final RestoreProgress progress;
    private final Excludes includes;
    private final Excludes excludes;

    private final AtomicLong files = new AtomicLong();
    private final AtomicLong dirs = new AtomicLong();
    private final AtomicLong others = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong verified = new AtomicLong();
    private final AtomicLong skippedFiles = new AtomicLong();
    private final AtomicLong skippedBytes = new AtomicLong();
    private final List<SnapshotSummary.FileError> errors = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Path> hardLinks = new HashMap<>();
    /** From a remote store, files are written pack by pack; null where reads are cheap (a disk). */
    private final PackRestorer packs;
    private final List<Future<?>> pending = new ArrayList<>();
    /**
     * Files begun and not yet complete. If the restore stops (a full disk, a store gone), they are
     * removed: a truncated X-ray or database under its own name would pass for the original.
     */
    private final Set<Path> unfinished = ConcurrentHashMap.newKeySet();
    /** Names hard-linked (pack by pack) to a first name whose content was still to come. */
    private final Map<Path, List<Path>> linksTo = new ConcurrentHashMap<>();
    private final AtomicLong removed = new AtomicLong();

    private record DirMeta(Path path, Node node) {
    }

    public Restorer(Repository repo, RestoreOptions opts, RestoreProgress progress) {
        this(repo, opts, progress, repo.backend().readsAreCheap() ? 0 : PackRestorer.BATCH_BLOBS);
    }

    /** @param packBatch blob places per batch of a pack-wise restore, 0 to restore file by file */
    Restorer(Repository repo, RestoreOptions opts, RestoreProgress progress, int packBatch) {
        this.repo = repo;
        this.opts = opts;
        this.progress = progress == null ? RestoreProgress.NONE : progress;
        this.packs = packBatch > 0 ? new PackRestorer(repo, this, packBatch) : null;
        this.includes = opts.include();
        this.excludes = opts.exclude();
    }

    public RestoreResult restore(Snapshot sn, Path target) throws IOException {
        Path root = target.toAbsolutePath().normalize();
        boolean fresh = !Files.exists(root, LinkOption.NOFOLLOW_LINKS);
        Files.createDirectories(root);
        ExecutorService pool = newPool();
        Semaphore permits = new Semaphore(opts.workers() * 4);
        List<DirMeta> dirMeta = new ArrayList<>();
        boolean complete = false;
        try {
            walk(sn.tree(), root, new ArrayList<>(), fresh, pool, permits, dirMeta);
            if (packs != null) {
                packs.run(pool);
            }
            awaitAll(pending);
            complete = true;
        } finally {
            pool.shutdownNow(); // after a failure, stops what is still running
            awaitStopped(pool);
            if (!complete) {
                removeUnfinished();
            }
        }
        Collections.reverse(dirMeta);
        for (DirMeta d : dirMeta) {
            applyMetadata(d.path(), d.node());
        }
        return result();
    }

    /**
     * After a failure the other workers may still be writing (a full disk fails one write, the
     * others a moment later): the restore returns or throws only once they have stopped and closed
     * their files, so a caller can at once retry, free the disk or unmount it. A worker blocked in
     * a read from a store that no longer answers is not waited for beyond a minute.
     */
    private static void awaitStopped(ExecutorService pool) {
        try {
            pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for every task; the first failure is thrown as it was. */
    static void awaitAll(List<Future<?>> tasks) throws IOException {
        for (Future<?> f : tasks) {
            Repository.join(f);
        }
    }

    private ExecutorService newPool() {
        return Executors.newFixedThreadPool(opts.workers(), r -> {
            Thread t = new Thread(r, "rempart-restore");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A restorer for callers that pick the entries themselves ({@link #restoreEntry}), such as the
     * sentinel's recovery. From a disk, blobs are read one by one, since the entries are
     * scattered; from a remote store, where that is a round trip per blob (the off-site vault may
     * be the only copy left after an attack), files are planned and written pack by pack at
     * {@link #flush}.
     */
    public static Restorer forEntries(Repository repo, boolean verify) {
        boolean remote = !repo.backend().readsAreCheap();
        return new Restorer(repo, new RestoreOptions(List.of(), verify, remote ? RestoreOptions.defaults().workers() : 1),
                null, remote ? PackRestorer.BATCH_BLOBS : 0);
    }

    /**
     * Restores one entry at {@code p}: a file's content and metadata, a symlink or special file,
     * or a directory (created if missing; only its own metadata, not its children). Hard links are
     * not re-linked. Failures land in {@link #result()}'s errors. A file's content may wait for
     * {@link #flush} (from a remote store), so a folder's metadata must be set after that.
     *
     * @throws IOException only for failures that would make every further entry fail (disk full)
     */
    public void restoreEntry(Node n, Path p) throws IOException {
        switch (n.type()) {
            case DIR -> {
                try {
                    Files.createDirectories(p);
                } catch (IOException e) {
                    error(p, e);
                    return;
                }
                applyMetadata(p, n);
                dirs.incrementAndGet();
            }
            case FILE -> {
                try {
                    if (alreadyThere(p, n, false)) {
                        return;
                    }
                    if (packs == null) {
                        writeFileReporting(p, n);
                    } else if (plan(p, n)) {
                        flush();
                    }
                } catch (IOException e) {
                    removeUnfinished();
                    throw e;
                }
            }
            default -> restoreOther(p, n, false);
        }
    }

    /**
     * Writes the files {@link #restoreEntry} has planned so far, on a pool that lives only as long
     * as this call; does nothing when none are waiting.
     *
     * @throws IOException only for a full disk
     */
    public void flush() throws IOException {
        if (packs == null || packs.isEmpty()) {
            return;
        }
        ExecutorService pool = newPool();
        boolean complete = false;
        try {
            packs.run(pool);
            complete = true;
        } finally {
            pool.shutdownNow();
            awaitStopped(pool);
            if (!complete) {
                removeUnfinished();
            }
        }
    }

    /**
     * Creates the file empty and plans its content. @return whether the plan is full
     * @throws IOException only for a full disk
     */
    private boolean plan(Path p, Node n) throws IOException {
        return reported(p, () -> {
            unfinished.add(p);
            createEmpty(p);
        }) && packs.add(p, n);
    }

    /**
     * After a stop: removes the files begun and not completed, with their hard links. A file that
     * failed alone (a damaged blob) and was reported stays as it is when the restore goes on, but
     * is removed with the others if it then stops.
     */
    private void removeUnfinished() {
        for (Path p : unfinished) {
            List<Path> names = new ArrayList<>(linksTo.getOrDefault(p, List.of()));
            names.add(p);
            for (Path q : names) {
                try {
                    if (Files.deleteIfExists(q)) {
                        removed.incrementAndGet();
                    }
                } catch (IOException e) {
                    // the restore is already failing with its own reason; this file stays as it is
                }
            }
        }
        unfinished.clear();
    }

    /**
     * How many files (hard links included) the restore began and then removed because it stopped
     * before completing them.
     */
    public long removedUnfinished() {
        return removed.get();
    }

    /** What this restorer did so far. */
    public RestoreResult result() {
        return new RestoreResult(files.get(), dirs.get(), others.get(), bytes.get(), verified.get(),
                skippedFiles.get(), skippedBytes.get(), errors);
    }

    /**
     * Included: not excluded (nor below an exclusion), and matches an include pattern itself or
     * lies below a match (Excludes' prefix rule), or there are none.
     */
    private boolean included(List<String> comps) {
        return (includes.isEmpty() || includes.excluded(comps)) && !excludes.excluded(comps);
    }

    /**
     * Counts what {@link #restore} of {@code sn} will write, with this restorer's filters, for a
     * progress display's totals: each file (a hard link's first name only, the others are links)
     * and each symlink or special file. Reads the trees a second time; a tree it cannot read is
     * left out, since the restore reports it.
     *
     * @param found takes each entry's size (0 but for files); returning false stops the count
     */
    public void measure(Snapshot sn, LongPredicate found) {
        measure(sn.tree(), new ArrayList<>(), new HashSet<>(), found);
    }

    private boolean measure(Id treeId, List<String> comps, Set<String> linked, LongPredicate found) {
        List<Node> nodes;
        try {
            nodes = Tree.decode(repo.loadBlob(BlobType.TREE, treeId));
        } catch (IOException | RuntimeException e) {
            return true;
        }
        for (Node n : nodes) {
            List<String> c = new ArrayList<>(comps);
            c.add(new String(n.name(), StandardCharsets.UTF_8));
            boolean go = true;
            if (n.type() == NodeType.DIR) {
                if (n.subtree() != null && (included(c) || mayContainIncluded(c))) {
                    go = measure(n.subtree(), c, linked, found);
                }
            } else if (included(c)) {
                if (n.type() == NodeType.FILE) {
                    boolean link = n.links() > 1 && n.inode() != 0 && !linked.add(n.deviceId() + ":" + n.inode());
                    go = link || found.test(n.size());
                } else if (n.type() != NodeType.SOCKET && n.type() != NodeType.IRREGULAR) {
                    go = found.test(0);
                }
            }
            if (!go) {
                return false;
            }
        }
        return true;
    }

    /** Could something below this directory be included? Then it must be walked. */
    private boolean mayContainIncluded(List<String> comps) {
        return !excludes.excluded(comps) && (includes.isEmpty() || includes.mayMatchBelow(comps));
    }

    /** @param fresh whether {@code dir} was created by this restore: then nothing is in the way in it */
    private void walk(Id treeId, Path dir, List<String> comps, boolean fresh, ExecutorService pool, Semaphore permits,
            List<DirMeta> dirMeta) throws IOException {
        List<Node> nodes;
        try {
            nodes = Tree.decode(repo.loadBlob(BlobType.TREE, treeId));
        } catch (VaultException e) {
            error(dir, "tree " + treeId.shortHex() + " unreadable: " + e.getMessage(), e);
            return;
        }
        for (Node n : nodes) {
            byte[] name = n.name();
            Path p;
            try {
                p = FileNames.resolve(dir, name);
            } catch (IllegalArgumentException e) {
                error(dir, "invalid name in snapshot skipped: " + n.displayName());
                continue;
            }
            List<String> c = new ArrayList<>(comps);
            c.add(new String(name, StandardCharsets.UTF_8));
            boolean inc = included(c);
            if (n.type() == NodeType.DIR) {
                if (!inc && !mayContainIncluded(c)) {
                    continue;
                }
                boolean freshDir = fresh || !Files.exists(p, LinkOption.NOFOLLOW_LINKS);
                try {
                    Files.createDirectories(p);
                } catch (IOException e) {
                    error(p, e);
                    continue;
                }
                if (inc) {
                    dirs.incrementAndGet();
                }
                dirMeta.add(new DirMeta(p, n));
                if (n.subtree() == null) {
                    error(p, "directory without subtree in snapshot");
                    continue;
                }
                walk(n.subtree(), p, c, freshDir, pool, permits, dirMeta);
                continue;
            }
            if (!inc) {
                continue;
            }
            if (n.type() == NodeType.FILE) {
                if (n.links() > 1 && n.inode() != 0) {
                    String key = n.deviceId() + ":" + n.inode();
                    Path first = hardLinks.get(key);
                    if (first != null) {
                        if (leaveExisting(p, n, fresh)) {
                            skippedFiles.incrementAndGet(); // a name, not content: no bytes
                        } else {
                            link(p, first);
                        }
                        continue;
                    }
                    hardLinks.put(key, p);
                    if (packs == null) {
                        // The link must see the file's final content: write it before going on.
                        if (!alreadyThere(p, n, fresh)) {
                            writeFileReporting(p, n);
                        }
                        continue;
                    }
                    // Pack by pack, the first name is created at once and its links share its
                    // inode: they see the content when its packs are written.
                }
                if (packs != null) {
                    if (!alreadyThere(p, n, fresh) && plan(p, n)) {
                        packs.run(pool);
                    }
                    continue;
                }
                try {
                    permits.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
                boolean freshFile = fresh;
                pending.add(pool.submit(() -> {
                    try {
                        if (!alreadyThere(p, n, freshFile)) {
                            writeFileReporting(p, n);
                        }
                    } finally {
                        permits.release();
                    }
                    return null;
                }));
                if (pending.size() > 4096) {
                    pending.removeIf(Future::isDone);
                }
            } else {
                restoreOther(p, n, fresh);
            }
        }
    }

    /**
     * A file something is already in the way of, handled by the overwrite option: left as it is
     * (never, if-newer), or found up to date (always, if-changed: only its metadata is then set).
     *
     * @return whether that is done, and nothing is to be written
     * @throws IOException only for a full disk
     */
    private boolean alreadyThere(Path p, Node n, boolean fresh) throws IOException {
        if (leaveExisting(p, n, fresh)) {
            skipped(p, n);
            return true;
        }
        if (upToDate(p, n, fresh)) {
            skipped(p, n);
            applyMetadata(p, n);
            if (opts.verify()) {
                reported(p, () -> verify(p, n));
            }
            return true;
        }
        return false;
    }

    private void skipped(Path p, Node n) {
        skippedFiles.incrementAndGet();
        skippedBytes.addAndGet(n.size());
        progress.bytesDone(n.size());
        progress.fileDone(p.toString());
    }

    /** never: anything there stays; if-newer: it stays unless the snapshot's entry is newer. */
    private boolean leaveExisting(Path p, Node n, boolean fresh) {
        RestoreOptions.Overwrite o = opts.overwrite();
        if (fresh || o == RestoreOptions.Overwrite.ALWAYS || o == RestoreOptions.Overwrite.IF_CHANGED) {
            return false;
        }
        FileStat st = statOrNull(p);
        return st != null && (o == RestoreOptions.Overwrite.NEVER || n.mtime() == null || !n.mtime().isAfter(st.mtime()));
    }

    /**
     * always: a regular file of the snapshot's size whose blobs, read back, are the snapshot's;
     * if-changed: the same, taken as true unread when its modification time is the snapshot's too.
     */
    private boolean upToDate(Path p, Node n, boolean fresh) {
        RestoreOptions.Overwrite o = opts.overwrite();
        if (fresh || o == RestoreOptions.Overwrite.NEVER || o == RestoreOptions.Overwrite.IF_NEWER) {
            return false;
        }
        FileStat st = statOrNull(p);
        if (st == null || st.kind() != FileKind.FILE || st.size() != n.size()) {
            return false;
        }
        if (o == RestoreOptions.Overwrite.IF_CHANGED && n.mtime() != null && n.mtime().equals(st.mtime())) {
            return true;
        }
        try {
            return mismatch(p, n) == null;
        } catch (IOException e) {
            return false; // unreadable: written again, which reports what is wrong with it
        }
    }

    private static FileStat statOrNull(Path p) {
        try {
            return FileSystemAccess.lstat(p);
        } catch (IOException e) {
            return null;
        }
    }

    private void link(Path p, Path first) {
        try {
            Files.deleteIfExists(p);
            Files.createLink(p, first);
            if (unfinished.contains(first)) {
                linksTo.computeIfAbsent(first, k -> Collections.synchronizedList(new ArrayList<>())).add(p);
            }
            files.incrementAndGet();
        } catch (IOException e) {
            error(p, "hard link: " + Archiver.describe(e));
        }
    }

    private void writeFileReporting(Path p, Node n) throws IOException {
        if (reported(p, () -> writeFile(p, n))) {
            fileWritten(p, n);
        }
    }

    private interface Step {
        void run() throws IOException;
    }

    /**
     * Runs one step on the file at {@code p}: a failure is reported against it and false returned.
     * @throws IOException only for a full disk
     */
    private boolean reported(Path p, Step step) throws IOException {
        try {
            step.run();
            return true;
        } catch (VaultException e) {
            error(p, e.getMessage(), e);
        } catch (IOException e) {
            if (isFatal(e)) {
                throw e;
            }
            error(p, e);
        }
        return false;
    }

    /** A full target disk stops the restore rather than producing thousands of errors. */
    static boolean isFatal(IOException e) {
        String m = e.getMessage();
        return m != null && m.contains("No space left on device");
    }

    /** Replaces whatever is at {@code p} with an empty regular file. */
    private static void createEmpty(Path p) throws IOException {
        removeUnlessRegular(p);
        FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)
                .close();
    }

    /** A symlink or directory in the way of a file is removed; a regular file is overwritten. */
    private static void removeUnlessRegular(Path p) throws IOException {
        if (Files.isSymbolicLink(p) || (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))) {
            deleteRecursively(p);
        }
    }

    private void writeFile(Path p, Node n) throws IOException {
        unfinished.add(p);
        removeUnlessRegular(p);
        long written = 0;
        try {
            try (DirectFiles.SequentialWriter out = DirectFiles.newWriter(p, false,
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING))) {
                for (Id id : n.content()) {
                    long len = repo.streamBlob(id, out::write);
                    written += len;
                    bytesWritten(len);
                }
            }
        } catch (VaultException e) {
            // A large blob reaches the file before its MAC is checked: keep only the verified blobs.
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                ch.truncate(written);
            }
            throw e;
        }
        if (written != n.size()) {
            sizeMismatch(p, written, n.size());
        }
    }

    void bytesWritten(long n) {
        bytes.addAndGet(n);
        progress.bytesDone(n);
    }

    /**
     * A file's content is complete: sets its metadata, counts it, and verifies it if asked.
     *
     * @throws IOException only for a full disk
     */
    void fileWritten(Path p, Node n) throws IOException {
        unfinished.remove(p);
        applyMetadata(p, n);
        files.incrementAndGet();
        progress.fileDone(p.toString());
        if (opts.verify()) {
            reported(p, () -> verify(p, n));
        }
    }

    private void verify(Path p, Node n) throws IOException {
        String mismatch = mismatch(p, n);
        if (mismatch != null) {
            throw new VaultException(VaultException.Problem.VERIFY_FAILED, List.of(), "verify: " + mismatch);
        }
        verified.incrementAndGet();
    }

    /** How the file at {@code p} differs from {@code n}'s content, blob by blob; null if it does not. */
    private String mismatch(Path p, Node n) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            for (Id id : n.content()) {
                PackedBlob pb = repo.index().lookup(BlobType.DATA, id);
                if (pb == null) {
                    return "blob " + id.shortHex() + " not in index";
                }
                byte[] data = in.readNBytes(pb.plaintextLength(MasterKey.OVERHEAD));
                MessageDigest md = Id.sha256();
                md.update(data);
                if (!Id.fromDigest(md).equals(id)) {
                    return "content differs from the snapshot";
                }
            }
            if (in.read() >= 0) {
                return "file is longer than in the snapshot";
            }
        }
        return null;
    }

    private void restoreOther(Path p, Node n, boolean fresh) {
        if (leaveExisting(p, n, fresh)) {
            return;
        }
        try {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                deleteRecursively(p);
            }
            switch (n.type()) {
                case SYMLINK -> FileSystemAccess.createSymlink(p, n.linkTarget() == null ? new byte[0] : n.linkTarget());
                case FIFO -> FileSystemAccess.createSpecial(p, FileKind.FIFO, n.unixPerm(), 0);
                case DEV -> FileSystemAccess.createSpecial(p, FileKind.BLOCK_DEVICE, n.unixPerm(), n.device());
                case CHARDEV -> FileSystemAccess.createSpecial(p, FileKind.CHAR_DEVICE, n.unixPerm(), n.device());
                case SOCKET, IRREGULAR -> {
                    return; // a socket belongs to a running program; restic does not recreate it either
                }
                default -> throw new IllegalStateException();
            }
            applyMetadata(p, n);
            others.incrementAndGet();
            progress.fileDone(p.toString());
        } catch (IOException | RuntimeException e) {
            error(p, Archiver.describe(e));
        }
    }

    private void applyMetadata(Path p, Node n) {
        FileKind kind = switch (n.type()) {
            case DIR -> FileKind.DIRECTORY;
            case SYMLINK -> FileKind.SYMLINK;
            case FIFO -> FileKind.FIFO;
            case DEV -> FileKind.BLOCK_DEVICE;
            case CHARDEV -> FileKind.CHAR_DEVICE;
            default -> FileKind.FILE;
        };
        try {
            if (!n.xattrs().isEmpty()) {
                List<Xattr> xs = new ArrayList<>();
                for (ExtendedAttribute x : n.xattrs()) {
                    xs.add(new Xattr(x.name(), x.value()));
                }
                FileSystemAccess.writeXattrs(p, xs);
            }
            FileSystemAccess.restoreMetadata(p, kind, n.unixPerm(), (int) n.uid(), (int) n.gid(), n.atime(), n.mtime());
        } catch (IOException | RuntimeException e) {
            error(p, "metadata: " + Archiver.describe(e));
        }
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (var s = Files.newDirectoryStream(p)) {
                for (Path c : s) {
                    deleteRecursively(c);
                }
            }
        }
        Files.deleteIfExists(p);
    }

    void error(Path p, String message) {
        error(p, message, null);
    }

    /** A file whose blobs do not add up to the snapshot's size. */
    void sizeMismatch(Path p, long restored, long expected) {
        error(p, new VaultException(VaultException.Problem.SIZE_MISMATCH,
                List.of(String.valueOf(restored), String.valueOf(expected)),
                "restored " + restored + " bytes, snapshot says " + expected));
    }

    /** A file with a data blob that no index lists. */
    void notIndexed(Path p, Id blob) {
        error(p, new VaultException(VaultException.Problem.BLOB_NOT_INDEXED, blob.shortHex(),
                "data blob " + blob.shortHex() + " not found in index"));
    }

    private void error(Path p, VaultException e) {
        error(p, e.getMessage(), e);
    }

    /**
     * A file or folder that could not be restored because of {@code e}: a pack missing from the
     * repository is said as such ({@link VaultException.Problem#PACK_MISSING}), not as a missing file.
     */
    void error(Path p, IOException e) {
        if (e instanceof PackMissingException pm) {
            VaultException missing = missing(pm);
            error(p, missing.getMessage(), missing);
        } else {
            error(p, Archiver.describe(e));
        }
    }

    static VaultException missing(PackMissingException e) {
        return new VaultException(VaultException.Problem.PACK_MISSING, e.pack().shortHex(),
                "pack " + e.pack().shortHex() + " is missing from the repository");
    }

    /**
     * @param cause the vault's failure behind {@code message}, or null: its problem and arguments
     *              stay with the error, for a front end to say in its reader's language
     */
    void error(Path p, String message, VaultException cause) {
        String path = FileNames.display(FileNames.pathBytes(p));
        errors.add(cause == null ? new SnapshotSummary.FileError(path, message)
                : new SnapshotSummary.FileError(path, message, cause.problem(), cause.args()));
        progress.error(path, message);
    }
}
