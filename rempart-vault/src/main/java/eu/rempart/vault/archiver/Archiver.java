package eu.rempart.vault.archiver;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.chunker.Chunker;
import eu.rempart.vault.fs.DirectFiles;
import eu.rempart.vault.fs.FileKind;
import eu.rempart.vault.fs.FileNames;
import eu.rempart.vault.fs.FileStat;
import eu.rempart.vault.fs.FileSystemAccess;
import eu.rempart.vault.fs.Xattr;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.SnapshotSummary;
import eu.rempart.vault.snapshot.SnapshotSummary.FileError;
import eu.rempart.vault.snapshot.Snapshots;
import eu.rempart.vault.tree.ExtendedAttribute;
import eu.rempart.vault.tree.GoFileMode;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.NodeType;
import eu.rempart.vault.tree.Tree;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes a snapshot of files and directories. One walker thread lists directories in name order
 * and hands regular files to a fixed pool of workers through a bounded number of permits, so
 * memory stays bounded whatever the tree size. A directory's tree blob is saved as soon as all
 * its children are done. Files unchanged since the parent snapshot (same mtime, ctime, size and
 * inode, and all their blobs still indexed) are not read.
 */
public final class Archiver {
    private final Repository repo;
    private final BackupOptions opts;
    private final BackupProgress progress;
    private final ThreadLocal<Chunker> chunkers;
    /** The first repository write failure: once set, no more work is started. */
    private volatile Throwable fatal;

    private final AtomicLong filesNew = new AtomicLong();
    private final AtomicLong filesChanged = new AtomicLong();
    private final AtomicLong filesUnmodified = new AtomicLong();
    private final AtomicLong dirsNew = new AtomicLong();
    private final AtomicLong dirsChanged = new AtomicLong();
    private final AtomicLong dirsUnmodified = new AtomicLong();
    private final AtomicLong bytesProcessed = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong unreadable = new AtomicLong();
    private final List<SnapshotSummary.FileError> errors = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, CompletableFuture<Node>> hardLinks = new ConcurrentHashMap<>();

    private ExecutorService workers;
    private Semaphore permits;
    /**
     * Chunks are hashed, compressed, encrypted and stored on these threads while the file's reader
     * looks for the next cut: one large file (a practice database) then keeps every core busy.
     */
    private ExecutorService blobSavers;
    /**
     * Reusable chunk copies; taking one blocks a reader whose chunks wait for savers. Chunks up to
     * {@link #SMALL_CHUNK} go to one of the small copies, larger ones (about one in five of a large
     * file's chunks, whose cut points lie 512 KiB plus an exponential 1 MiB apart) to the single
     * large copy. Four copies that each grew to the largest chunk they had held kept 32 MiB for
     * the rest of a backup of images; now 16 MiB at most.
     */
    private java.util.concurrent.BlockingQueue<ChunkBuffer> chunkBuffers;
    private java.util.concurrent.BlockingQueue<ChunkBuffer> largeChunkBuffer;
    static final int SMALL_CHUNK = 4 * Chunker.MIN_SIZE;

    /**
     * One chunk in flight, with room to be sealed where it lies ({@link Repository#saveBlobConsuming}),
     * allocated when first needed and grown (up to its capacity) only as far as the chunks it gets:
     * the chunks of a database file are mostly cut at the minimum size, a quarter of a small copy.
     */
    private static final class ChunkBuffer {
        /** Where the chunk starts: the room before it is for the blob's nonce. */
        static final int OFFSET = Repository.SEAL_ROOM_BEFORE;
        private final int capacity;
        private final java.util.concurrent.BlockingQueue<ChunkBuffer> home;
        private byte[] bytes;

        ChunkBuffer(int capacity, java.util.concurrent.BlockingQueue<ChunkBuffer> home) {
            this.capacity = capacity;
            this.home = home;
        }

        /** Copies the chunk to {@link #OFFSET} and returns the array. */
        byte[] fill(byte[] src, int off, int n) {
            if (bytes == null || bytes.length < OFFSET + n + Repository.SEAL_ROOM_AFTER) {
                int room = Math.min(capacity, (n + Chunker.MIN_SIZE - 1) / Chunker.MIN_SIZE * Chunker.MIN_SIZE);
                bytes = new byte[OFFSET + room + Repository.SEAL_ROOM_AFTER];
            }
            System.arraycopy(src, off, bytes, OFFSET, n);
            return bytes;
        }

        /** Back to the queue it was taken from, for the next chunk. */
        void release() {
            home.add(this);
        }
    }

    private ContentInspector inspector;

    /** Lets the inspector see every file read and tag the snapshot; call before {@link #backup}. */
    public Archiver inspectWith(ContentInspector inspector) {
        this.inspector = inspector;
        return this;
    }

    public Archiver(Repository repo, BackupOptions opts, BackupProgress progress) {
        this.repo = repo;
        this.opts = opts;
        this.progress = progress == null ? BackupProgress.NONE : progress;
        this.chunkers = ThreadLocal.withInitial(() -> new Chunker(repo.config().chunkerPolynomial()));
    }

    /**
     * Backs up {@code targets} and saves a snapshot. The snapshot lists their absolute paths; its
     * tree keeps relative targets relative, as restic does (see {@link TargetTree}).
     *
     * @param parent the snapshot to compare with, or null to read every file
     */
    public BackupResult backup(List<Path> targets, Snapshot parent) throws IOException {
        return backup(targets, Path.of("").toAbsolutePath(), parent);
    }

    /**
     * What a backup of {@code targets} holds: the targets that exist, absolute, in the order given.
     * Its snapshot lists them, and its parent is looked up by them. Paths, not strings: a name
     * that is not UTF-8 would not survive the round trip.
     */
    public static List<Path> existingTargets(List<Path> targets, Path cwd) {
        return targets.stream().map(t -> cwd.resolve(t).normalize()).filter(Archiver::exists).toList();
    }

    private static boolean exists(Path absolute) {
        return Files.exists(absolute, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** {@link #backup(List, Snapshot)} with relative targets taken from {@code cwd} (absolute). */
    public BackupResult backup(List<Path> targets, Path cwd, Snapshot parent) throws IOException {
        Instant start = Instant.now();
        Added before = Added.of(repo);
        if (targets.isEmpty()) {
            throw new VaultException("nothing to back up: no target given");
        }
        // A missing target (a folder renamed, a drive not mounted) must not cost the others their
        // backup: it is skipped, as restic skips it, and reported as an error of this backup.
        List<Path> present = new ArrayList<>();
        List<Path> abs = new ArrayList<>();
        List<Path> missing = new ArrayList<>();
        for (Path t : targets) {
            Path a = cwd.resolve(t).normalize();
            if (exists(a)) {
                present.add(t);
                abs.add(a);
            } else {
                missing.add(a);
            }
        }
        if (present.isEmpty()) {
            String names = String.join(", ", missing.stream().map(m -> FileNames.display(FileNames.pathBytes(m))).toList());
            throw new VaultException(VaultException.Problem.NO_TARGET, names, "none of the backup targets exists: " + names);
        }
        for (Path m : missing) {
            unreadable.incrementAndGet();
            warn(m, FileError.Problem.TARGET_MISSING.english);
        }
        TargetTree root = TargetTree.of(present, cwd);
        workers = Executors.newFixedThreadPool(opts.workers(), named("rempart-file"));
        permits = new Semaphore(opts.workers() * 4);
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        blobSavers = Executors.newFixedThreadPool(cores, named("rempart-blob"));
        treeLoaders = Executors.newFixedThreadPool(4, named("rempart-tree"));
        chunkBuffers = new java.util.concurrent.ArrayBlockingQueue<>(cores + opts.workers());
        for (int i = 0; i < cores + opts.workers(); i++) {
            chunkBuffers.add(new ChunkBuffer(SMALL_CHUNK, chunkBuffers));
        }
        largeChunkBuffer = new java.util.concurrent.ArrayBlockingQueue<>(1);
        largeChunkBuffer.add(new ChunkBuffer(Chunker.MAX_SIZE, largeChunkBuffer));
        Id treeId;
        try {
            Id parentTree = parent == null ? null : parent.tree();
            CompletableFuture<Id> rootFuture = runOnBigStack(() -> walkTargets(root, parentTree));
            treeId = join(rootFuture);
        } finally {
            workers.shutdownNow();
            blobSavers.shutdown();
            treeLoaders.shutdownNow();
            prefetched.clear();
            // No thread may still be writing when the caller flushes or closes the repository.
            try {
                workers.awaitTermination(5, java.util.concurrent.TimeUnit.MINUTES);
                blobSavers.awaitTermination(5, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        repo.flush();
        Instant end = Instant.now();
        Added added = Added.of(repo).minus(before);
        SnapshotSummary summary = new SnapshotSummary(start, end, filesNew.get(), filesChanged.get(),
                filesUnmodified.get(), dirsNew.get(), dirsChanged.get(), dirsUnmodified.get(),
                added.dataBlobs(), added.treeBlobs(), added.data(), added.packed(),
                filesNew.get() + filesChanged.get() + filesUnmodified.get(), bytesProcessed.get(), bytesRead.get(),
                new ArrayList<>(errors));
        List<String> paths = new ArrayList<>();
        for (Path a : abs) {
            paths.add(a.toString());
        }
        Snapshot sn = new Snapshot(null, opts.time(), parent == null ? null : parent.id(), treeId, paths,
                opts.hostname(), opts.username(), currentId("uid"), currentId("gid"), opts.excludes().patterns(),
                tags(), null, opts.programVersion(), summary);
        Id id = Snapshots.save(repo, sn);
        return new BackupResult(sn.withId(id), summary, unreadable.get());
    }

    /**
     * restic's {@code backup --stdin}: stores what {@code in} gives (a database dump piped in) as one
     * file named {@code filename} at the root of a new snapshot whose path is {@code /filename}. The
     * stream is read to its end, chunked as files are, so successive dumps share their unchanged
     * parts.
     */
    public static BackupResult backupStream(Repository repo, BackupOptions opts, java.io.InputStream in,
            String filename) throws IOException {
        if (filename.isEmpty() || filename.contains("/") || filename.equals(".") || filename.equals("..")) {
            throw new VaultException("invalid file name for a stream: \"" + filename + "\"");
        }
        Instant start = Instant.now();
        Added before = Added.of(repo);
        Chunker chunker = new Chunker(repo.config().chunkerPolynomial());
        chunker.reset(in);
        List<Id> content = new ArrayList<>();
        long size = 0;
        for (int n = chunker.advance(); n >= 0; n = chunker.advance()) {
            Id id = Id.hash(chunker.array(), chunker.offset(), n);
            repo.saveBlob(BlobType.DATA, id, chunker.array(), chunker.offset(), n);
            content.add(id);
            size += n;
        }
        Instant now = Instant.now();
        long uid = currentId("uid");
        long gid = currentId("gid");
        Node file = new Node(filename.getBytes(StandardCharsets.UTF_8), NodeType.FILE,
                eu.rempart.vault.tree.GoFileMode.of(NodeType.FILE, 0644), now, now, now, uid, gid, opts.username(), null,
                0, 0, size, 1, null, List.of(), 0, content, null, null);
        byte[] tree = Tree.encode(List.of(file));
        Id treeId = Id.hash(tree);
        repo.saveBlob(BlobType.TREE, treeId, tree);
        repo.flush();
        Instant end = Instant.now();
        Added added = Added.of(repo).minus(before);
        SnapshotSummary summary = new SnapshotSummary(start, end, 1, 0, 0, 0, 0, 0, added.dataBlobs(),
                added.treeBlobs(), added.data(), added.packed(), 1, size, size, List.of());
        Snapshot sn = new Snapshot(null, opts.time(), null, treeId, List.of("/" + filename), opts.hostname(),
                opts.username(), uid, gid, List.of(), opts.tags(), null, opts.programVersion(), summary);
        Id id = Snapshots.save(repo, sn);
        return new BackupResult(sn.withId(id), summary, 0);
    }

    /** What the repository object has stored so far: a backup reports the difference it made. */
    private record Added(long dataBlobs, long treeBlobs, long data, long packed) {
        static Added of(Repository repo) {
            return new Added(repo.dataBlobsAdded(), repo.treeBlobsAdded(), repo.dataAdded(), repo.dataAddedPacked());
        }

        Added minus(Added o) {
            return new Added(dataBlobs - o.dataBlobs, treeBlobs - o.treeBlobs, data - o.data, packed - o.packed);
        }
    }

    private List<String> tags() {
        if (inspector == null) {
            return opts.tags();
        }
        List<String> tags = new ArrayList<>(opts.tags());
        for (String t : inspector.finish()) {
            if (!tags.contains(t)) {
                tags.add(t);
            }
        }
        return tags;
    }

    // ------------------------------------------------------------------ walking

    /**
     * The directories leading to the targets, laid out as restic 0.14 lays them out: an absolute
     * target keeps its whole path ({@code /home/u/docs}); a relative one keeps the path as given,
     * cleaned and without its leading {@code ..} ({@code docs}, {@code ../x/docs} as {@code x/docs});
     * {@code .} or {@code ..} stand for their entries, each at the top. Where two top-level names
     * come from different places ({@code a/f} and {@code ../a/g}), the later one becomes {@code a-1},
     * {@code a-2}… as in restic. Only named children of a folder leading to a target are included.
     */
    static final class TargetTree {
        final Map<String, TargetTree> children = new LinkedHashMap<>();
        /** Where the entry is read (absolute); for a folder leading to a target, only its metadata. */
        Path source;
        /** For a top-level entry: the {@code ..} prefix its relative target started with, "/" if absolute. */
        String root;
        boolean target;

        /** @param cwd what relative targets are relative to */
        static TargetTree of(List<Path> targets, Path cwd) throws IOException {
            TargetTree top = new TargetTree();
            java.util.Set<Path> seen = new java.util.HashSet<>();
            for (Path t : targets) {
                top.add(t, cwd, seen);
            }
            return top;
        }

        private void add(Path given, Path cwd, java.util.Set<Path> seen) throws IOException {
            Path t = given.normalize(); // lexical, as restic's filepath.Clean
            if (!seen.add(t)) {
                return;
            }
            Path abs = cwd.resolve(t).normalize();
            List<byte[]> names = new ArrayList<>();
            String up = "";
            for (Path part : t) {
                byte[] n = FileNames.nameBytes(part);
                if (n.length == 0) {
                    continue; // "." normalises to the empty path
                }
                if (!t.isAbsolute() && names.isEmpty() && part.toString().equals("..")) {
                    up = up.isEmpty() ? ".." : up + "/..";
                    continue;
                }
                names.add(n);
            }
            if (names.isEmpty()) {
                // ".", "..", "/": the folder's entries, in byte order, each a target of its own
                List<byte[]> entries = FileSystemAccess.listNames(abs);
                entries.sort(Arrays::compareUnsigned);
                for (byte[] e : entries) {
                    add(FileNames.resolve(t, e), cwd, seen);
                }
                return;
            }
            String root = t.isAbsolute() ? "/" : up;
            String first = latin1(names.get(0));
            String name = first;
            for (int i = 1; children.containsKey(name) && !root.equals(children.get(name).root); i++) {
                name = first + "-" + i; // ASCII: the same bytes in this one-char-per-byte form
            }
            TargetTree cur = children.computeIfAbsent(name, k -> new TargetTree());
            cur.root = root;
            for (int i = 0; ; i++) {
                // the i-th name's folder on disk: names are the last names.size() parts of abs
                cur.source = ancestor(abs, names.size() - 1 - i);
                if (cur.target) {
                    return; // an ancestor is already backed up whole
                }
                if (i == names.size() - 1) {
                    break;
                }
                cur = cur.children.computeIfAbsent(latin1(names.get(i + 1)), k -> new TargetTree());
            }
            cur.target = true;
            cur.children.clear();
        }

        private static Path ancestor(Path p, int up) {
            for (int i = 0; i < up; i++) {
                p = p.getParent();
            }
            return p;
        }
    }

    /** Bytes as a String, one char per byte: a cheap lossless map key. */
    static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private CompletableFuture<Id> walkTargets(TargetTree t, Id parentTree) {
        Map<String, Node> parentNodes = loadParent(parentTree, t.source == null ? "/" : t.source.toString());
        List<Map.Entry<String, TargetTree>> entries = new ArrayList<>(t.children.entrySet());
        entries.sort((a, b) -> a.getKey().compareTo(b.getKey()));
        List<CompletableFuture<Node>> children = new ArrayList<>();
        for (Map.Entry<String, TargetTree> e : entries) {
            byte[] name = e.getKey().getBytes(StandardCharsets.ISO_8859_1);
            TargetTree child = e.getValue();
            Node old = parentNodes.get(e.getKey());
            if (child.target) {
                children.add(entry(child.source, name, old, true, 0));
            } else {
                children.add(intermediate(name, child, old));
            }
        }
        return saveTree(children, parentTree);
    }

    private CompletableFuture<Node> intermediate(byte[] name, TargetTree t, Node old) {
        FileStat st;
        try {
            st = FileSystemAccess.lstat(t.source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Node meta = nodeFromStat(t.source, name, st, NodeType.DIR);
        Id oldSub = old != null && old.type() == NodeType.DIR ? old.subtree() : null;
        return walkTargets(t, oldSub).thenApply(id -> countDir(old, meta.withSubtree(id)));
    }

    /**
     * Handles one directory entry; returns null (wrapped) for entries that are skipped. {@code fs}
     * is the device of the file system of the target it is under (ignored for a target itself).
     */
    private CompletableFuture<Node> entry(Path p, byte[] name, Node old, boolean isTarget, long fs) {
        List<String> comps = components(p);
        if (!isTarget && opts.excludes().excluded(comps)) {
            return CompletableFuture.completedFuture(null);
        }
        FileStat st;
        try {
            st = FileSystemAccess.lstat(p);
        } catch (IOException e) {
            fail(p, e);
            return CompletableFuture.completedFuture(null);
        }
        NodeType type = typeOf(st.kind());
        if (type == NodeType.FILE && opts.excludes().tooLarge(st.size())) {
            return CompletableFuture.completedFuture(null);
        }
        if (isTarget) {
            fs = st.device();
        }
        // Another file system: a mount point is kept as an empty folder (so a restore recreates
        // where to mount it), anything else there (a bind-mounted file) is left out.
        boolean mountPoint = opts.excludes().oneFileSystem() && st.device() != fs;
        if (mountPoint && type != NodeType.DIR) {
            return CompletableFuture.completedFuture(null);
        }
        Node node;
        try {
            node = nodeFromStatIo(p, name, st, type);
        } catch (IOException e) {
            fail(p, e);
            return CompletableFuture.completedFuture(null);
        }
        switch (type) {
            case DIR:
                if (mountPoint) {
                    Id oldSub = old != null && old.type() == NodeType.DIR ? old.subtree() : null;
                    return saveTree(List.of(), oldSub).thenApply(id -> countDir(old, node.withSubtree(id)));
                }
                return directory(p, node, old, fs);
            case FILE:
                return file(p, st, node, old);
            default:
                progress.fileDone(p.toString());
                return CompletableFuture.completedFuture(node);
        }
    }

    private CompletableFuture<Node> directory(Path dir, Node meta, Node old, long fs) {
        List<byte[]> names;
        try {
            names = FileSystemAccess.listNames(dir);
        } catch (IOException e) {
            fail(dir, e);
            return CompletableFuture.completedFuture(null);
        }
        names.sort(Arrays::compareUnsigned);
        Id oldSub = old != null && old.type() == NodeType.DIR ? old.subtree() : null;
        Map<String, Node> parentNodes = loadParent(oldSub, dir.toString());
        List<CompletableFuture<Node>> children = new ArrayList<>(names.size());
        for (byte[] name : names) {
            children.add(entry(FileNames.resolve(dir, name), name, parentNodes.get(latin1(name)), false, fs));
        }
        return saveTree(children, oldSub).thenApply(id -> countDir(old, meta.withSubtree(id)));
    }

    private Node countDir(Node old, Node dir) {
        if (old == null || old.type() != NodeType.DIR) {
            dirsNew.incrementAndGet();
        } else if (dir.subtree().equals(old.subtree())) {
            dirsUnmodified.incrementAndGet();
        } else {
            dirsChanged.incrementAndGet();
        }
        return dir;
    }

    private CompletableFuture<Id> saveTree(List<CompletableFuture<Node>> children, Id unusedParent) {
        return CompletableFuture.allOf(children.toArray(new CompletableFuture[0])).thenApply(v -> {
            List<Node> nodes = new ArrayList<>(children.size());
            for (CompletableFuture<Node> c : children) {
                Node n = c.join();
                if (n != null) {
                    nodes.add(n);
                }
            }
            byte[] json = Tree.encode(nodes);
            Id id = Id.hash(json);
            try {
                repo.saveBlob(BlobType.TREE, id, json);
            } catch (IOException e) {
                throw new RepositoryWriteException(e);
            }
            return id;
        });
    }

    private Map<String, Node> loadParent(Id tree, String where) {
        if (tree == null) {
            return Map.of();
        }
        try {
            CompletableFuture<List<Node>> pre = prefetched.remove(tree);
            List<Node> nodes = pre != null ? joinTree(pre) : Tree.decode(repo.loadBlob(BlobType.TREE, tree));
            Map<String, Node> m = new HashMap<>();
            for (Node n : nodes) {
                m.put(latin1(n.name()), n);
                if (n.type() == NodeType.DIR && n.subtree() != null) {
                    prefetch(n.subtree());
                }
            }
            return m;
        } catch (IOException | VaultException e) {
            // A damaged parent only costs re-reading: carry on without it.
            progress.error(where, "parent snapshot tree unreadable, files are read again: " + e.getMessage());
            return Map.of();
        }
    }

    /**
     * The parent snapshot's subdirectory trees are loaded ahead by a few threads while the walker
     * works through the current directory: on a cold cache each one is a random read of a pack.
     * Only the children of directories being walked are fetched, so few trees wait at a time.
     */
    private final Map<Id, CompletableFuture<List<Node>>> prefetched = new ConcurrentHashMap<>();
    private ExecutorService treeLoaders;

    private void prefetch(Id tree) {
        prefetched.computeIfAbsent(tree, t -> CompletableFuture.supplyAsync(() -> {
            try {
                return Tree.decode(repo.loadBlob(BlobType.TREE, t));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, treeLoaders));
    }

    private static List<Node> joinTree(CompletableFuture<List<Node>> f) throws IOException {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (e.getCause() instanceof VaultException v) {
                throw v;
            }
            throw new IOException(e.getCause());
        }
    }

    // ------------------------------------------------------------------ files

    private CompletableFuture<Node> file(Path p, FileStat st, Node meta, Node old) {
        if (old != null && unchanged(old, st)) {
            filesUnmodified.incrementAndGet();
            bytesProcessed.addAndGet(old.size());
            progress.bytesDone(old.size());
            progress.fileDone(p.toString());
            return CompletableFuture.completedFuture(meta.withContent(old.content(), old.size()));
        }
        if (st.links() > 1) {
            String key = st.device() + ":" + st.inode();
            CompletableFuture<Node> first = hardLinks.get(key);
            if (first != null && st.mtime().equals(firstMtime.get(key))) {
                // Another name of a file read in this run: share its content, read it once.
                return first.thenApply(n -> {
                    if (n == null) {
                        return null;
                    }
                    countFile(old);
                    bytesProcessed.addAndGet(n.size());
                    return meta.withContent(n.content(), n.size());
                });
            }
            CompletableFuture<Node> f = readLater(p, st, meta, old);
            hardLinks.put(key, f);
            firstMtime.put(key, st.mtime());
            return f;
        }
        return readLater(p, st, meta, old);
    }

    private final Map<String, Instant> firstMtime = new ConcurrentHashMap<>();

    private CompletableFuture<Node> readLater(Path p, FileStat st, Node meta, Node old) {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
        CompletableFuture<Node> f = new CompletableFuture<>();
        if (fatal != null) {
            permits.release();
            f.completeExceptionally(fatal);
            return f;
        }
        workers.execute(() -> {
            try {
                // The reader goes on with the next file while this one's last chunks are stored.
                read(p, st, meta, old).whenComplete((n, t) -> {
                    if (t == null) {
                        f.complete(n);
                    } else {
                        failed(f, unwrap(t));
                    }
                });
            } catch (Throwable t) {
                failed(f, t);
            } finally {
                permits.release();
            }
        });
        return f;
    }

    private void failed(CompletableFuture<Node> f, Throwable t) {
        if (t instanceof RepositoryWriteException && fatal == null) {
            fatal = t;
        }
        f.completeExceptionally(t);
    }

    private void countFile(Node old) {
        (old == null ? filesNew : filesChanged).incrementAndGet();
    }

    /** Reads and chunks the file on this thread; the node is complete once every chunk is stored. */
    private CompletableFuture<Node> read(Path p, FileStat st, Node meta, Node old) {
        List<CompletableFuture<Id>> parts = new ArrayList<>();
        long size = 0;
        IOException failure = null;
        ContentInspector.FileInspection inspection = inspector == null ? null : inspector.begin(p, st.size(), old == null);
        try (InputStream in = DirectFiles.newInputStream(p)) {
            Chunker ch = chunkers.get();
            ch.reset(in);
            int n;
            while ((n = ch.advance()) >= 0 && fatal == null) {
                if (inspection != null) {
                    inspection.chunk(ch.array(), ch.offset(), n);
                }
                ChunkBuffer buf = (n <= SMALL_CHUNK ? chunkBuffers : largeChunkBuffer).take();
                byte[] b = buf.fill(ch.array(), ch.offset(), n);
                int len = n;
                parts.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        Id id = Id.hash(b, ChunkBuffer.OFFSET, len);
                        repo.saveBlobConsuming(BlobType.DATA, id, b, ChunkBuffer.OFFSET, len);
                        return id;
                    } catch (IOException e) {
                        RepositoryWriteException rw = new RepositoryWriteException(e);
                        if (fatal == null) {
                            fatal = rw;
                        }
                        throw rw;
                    } finally {
                        buf.release();
                    }
                }, blobSavers));
                size += n;
                bytesRead.addAndGet(n);
                bytesProcessed.addAndGet(n);
                progress.bytesDone(n);
            }
        } catch (IOException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
        if (inspection != null) {
            inspection.end(failure == null);
        }
        String changed = null;
        if (failure == null) {
            try {
                FileStat after = FileSystemAccess.lstat(p);
                if (after.size() != size || !after.mtime().equals(st.mtime())) {
                    changed = FileError.Problem.CHANGED_WHILE_READ.english;
                }
            } catch (IOException e) {
                changed = FileError.Problem.REMOVED_WHILE_READ.english;
            }
        }
        IOException readFailure = failure;
        String warning = changed;
        long length = size;
        // Chunks already handed over are waited for even if reading failed: they hold buffers.
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).handle((v, t) -> {
            if (t != null) {
                Throwable c = unwrap(t);
                throw c instanceof RuntimeException re ? re : new CompletionException(c);
            }
            if (fatal != null) {
                throw fatal instanceof RuntimeException re ? re : new CompletionException(fatal);
            }
            if (readFailure != null) {
                fail(p, readFailure);
                return null;
            }
            if (warning != null) {
                warn(p, warning);
            }
            List<Id> ids = new ArrayList<>(parts.size());
            for (CompletableFuture<Id> f : parts) {
                ids.add(f.join());
            }
            countFile(old);
            progress.fileDone(p.toString());
            return meta.withContent(ids, length);
        });
    }

    /** restic's rule: same type, mtime, ctime, size and inode, and every blob still in the index. */
    private boolean unchanged(Node old, FileStat st) {
        if (old.type() != NodeType.FILE || old.content() == null || old.size() != st.size()
                || old.inode() != st.inode() || !st.mtime().equals(old.mtime()) || !st.ctime().equals(old.ctime())) {
            return false;
        }
        for (Id id : old.content()) {
            if (!repo.index().has(BlobType.DATA, id)) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ nodes

    static NodeType typeOf(FileKind k) {
        return switch (k) {
            case FILE -> NodeType.FILE;
            case DIRECTORY -> NodeType.DIR;
            case SYMLINK -> NodeType.SYMLINK;
            case BLOCK_DEVICE -> NodeType.DEV;
            case CHAR_DEVICE -> NodeType.CHARDEV;
            case FIFO -> NodeType.FIFO;
            case SOCKET -> NodeType.SOCKET;
            case OTHER -> NodeType.IRREGULAR;
        };
    }

    private Node nodeFromStat(Path p, byte[] name, FileStat st, NodeType type) {
        try {
            return nodeFromStatIo(p, name, st, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Node nodeFromStatIo(Path p, byte[] name, FileStat st, NodeType type) throws IOException {
        byte[] target = type == NodeType.SYMLINK ? FileSystemAccess.readLink(p) : null;
        List<ExtendedAttribute> xattrs = new ArrayList<>();
        if (type == NodeType.FILE || type == NodeType.DIR || type == NodeType.SYMLINK) {
            for (Xattr x : FileSystemAccess.readXattrs(p)) {
                xattrs.add(new ExtendedAttribute(x.name(), x.value()));
            }
        }
        long device = type == NodeType.DEV || type == NodeType.CHARDEV ? st.rdev() : 0;
        return new Node(name, type, GoFileMode.of(type, st.mode()), st.mtime(), st.atime(), st.ctime(),
                Integer.toUnsignedLong(st.uid()), Integer.toUnsignedLong(st.gid()), FileSystemAccess.userName(st.uid()),
                FileSystemAccess.groupName(st.gid()), st.inode(), st.device(), type == NodeType.FILE ? st.size() : 0,
                st.links(), target, xattrs, device, type == NodeType.FILE ? List.of() : null, null, null);
    }

    private static List<String> components(Path p) {
        List<String> out = new ArrayList<>();
        for (Path part : p) {
            out.add(new String(FileNames.nameBytes(part), StandardCharsets.UTF_8));
        }
        return out;
    }

    // ------------------------------------------------------------------ errors and plumbing

    private void fail(Path p, Throwable e) {
        unreadable.incrementAndGet();
        warn(p, describe(e));
    }

    private void warn(Path p, String message) {
        String path = FileNames.display(FileNames.pathBytes(p));
        errors.add(new FileError(path, message));
        progress.error(path, message);
    }

    /** A short reason for a file error, without stack or secrets. */
    public static String describe(Throwable e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return FileError.Problem.PERMISSION_DENIED.english;
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return FileError.Problem.VANISHED.english;
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /** A failure to write the repository: the backup cannot go on. */
    static final class RepositoryWriteException extends RuntimeException {
        RepositoryWriteException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** The failure inside the completion wrappers a future adds around it. */
    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static <T> T join(CompletableFuture<T> f) throws IOException {
        try {
            return f.join();
        } catch (CompletionException e) {
            Throwable c = unwrap(e);
            if (c instanceof RepositoryWriteException rw) {
                throw (IOException) rw.getCause();
            }
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IOException(c);
        }
    }

    /** Deep trees recurse deeply: walk on a thread with a large stack. */
    private static <T> T runOnBigStack(java.util.function.Supplier<T> s) throws IOException {
        Object[] result = new Object[1];
        Throwable[] error = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                result[0] = s.get();
            } catch (Throwable e) {
                error[0] = e;
            }
        }, "rempart-walker", 512L * 1024 * 1024);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (error[0] != null) {
            Throwable e = error[0];
            if (e instanceof RepositoryWriteException rw) {
                throw (IOException) rw.getCause();
            }
            if (e instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e);
        }
        @SuppressWarnings("unchecked")
        T r = (T) result[0];
        return r;
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    static long currentId(String which) {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:" + which)).longValue();
        } catch (Exception e) {
            return 0;
        }
    }
}
