package eu.rempart.vault.checker;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.checker.Finding.Kind;
import eu.rempart.vault.crypto.MasterKey;
import eu.rempart.vault.index.IndexFile;
import eu.rempart.vault.pack.PackedBlob;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.NodeType;
import eu.rempart.vault.tree.Tree;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Verifies a repository as restic's {@code check} does: every index file decodes, every indexed
 * pack exists with the expected size, every snapshot's trees decode and reference only indexed
 * blobs, and, with read-data, every pack's content matches its name, header and index.
 */
public final class Checker {
    private final Repository repo;
    private final CheckProgress progress;
    private final List<Finding> errors = Collections.synchronizedList(new ArrayList<>());
    private final List<Finding> hints = Collections.synchronizedList(new ArrayList<>());

    public Checker(Repository repo, CheckProgress progress) {
        this.repo = repo;
        this.progress = progress == null ? CheckProgress.NONE : progress;
    }

    public CheckResult check(CheckOptions opts) throws IOException {
        Backend be = repo.backend();
        // Snapshots are listed before the index is read (design.rst's read ordering).
        List<Backend.FileInfo> snapshotFiles = be.list(FileType.SNAPSHOT);

        Map<Id, List<PackedBlob>> indexed = new HashMap<>();
        Map<BlobType, Set<Id>> known = Map.of(BlobType.DATA, new HashSet<>(), BlobType.TREE, new HashSet<>());
        boolean[] indexDamaged = {false};
        loadInOrder(ids(be.list(FileType.INDEX), FileType.INDEX),
                id -> IndexFile.decode(repo.loadUnpacked(FileType.INDEX, id), "index " + id.shortHex()), (id, c) -> {
                    if (damaged(c.failure())) {
                        errors.add(Finding.of(Kind.INDEX_DAMAGED, id.toHex()));
                        indexDamaged[0] = true;
                        return;
                    }
                    if (c.failure() != null) {
                        errors.add(Finding.of(Kind.INDEX_UNREADABLE, id.toHex(), c.failure().getMessage()));
                        return;
                    }
                    for (Map.Entry<Id, List<PackedBlob>> e : c.value().packs().entrySet()) {
                        indexed.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).addAll(e.getValue());
                        for (PackedBlob b : e.getValue()) {
                            known.get(b.type()).add(b.id());
                        }
                    }
                });
        // The repository's own view, used by tree walking.
        for (List<PackedBlob> bs : indexed.values()) {
            repo.index().addAll(dedupe(bs));
        }

        Map<Id, Long> stored = new HashMap<>();
        for (Backend.FileInfo f : be.list(FileType.PACK)) {
            Id id = parseName(f.name(), FileType.PACK);
            if (id != null) {
                stored.put(id, f.size());
            }
        }
        for (Map.Entry<Id, List<PackedBlob>> e : indexed.entrySet()) {
            Long size = stored.get(e.getKey());
            if (size == null) {
                errors.add(Finding.of(Kind.PACK_MISSING, e.getKey().toHex()));
                continue;
            }
            long expected = eu.rempart.vault.pack.PackHeader.packSize(dedupe(e.getValue()));
            if (size != expected) {
                errors.add(Finding.of(Kind.PACK_SIZE, e.getKey().toHex(), size, expected));
            }
        }
        for (Id p : stored.keySet()) {
            if (!indexed.containsKey(p)) {
                hints.add(Finding.of(Kind.PACK_UNREFERENCED, p.toHex()));
            }
        }
        if (indexDamaged[0]) {
            knowUnindexedPacks(stored, indexed, known);
        }

        long blobs = checkSnapshots(snapshotFiles, known);

        long read = 0;
        if (opts.readData()) {
            List<Id> toRead = selectPacks(new ArrayList<>(stored.keySet()), opts.subset());
            read = readPacks(toRead, stored, indexed);
        }
        return new CheckResult(errors, hints, snapshotFiles.size(), stored.size(), read, blobs);
    }

    /**
     * A file that was read but is damaged: it does not match its name, authenticate or decode (a
     * store that fails is an IOException), as {@link Repository#loadIndex} and {@link Snapshots#list} judge.
     */
    private static boolean damaged(Exception failure) {
        return failure instanceof VaultException;
    }

    /**
     * With an index file damaged, the blobs of the packs no readable index lists are taken from the
     * packs' headers, as every other command then does: the snapshots' findings are then only what
     * is really missing, not everything that damaged file listed. A header that cannot be read is a
     * finding of its own.
     */
    private void knowUnindexedPacks(Map<Id, Long> stored, Map<Id, List<PackedBlob>> indexed,
            Map<BlobType, Set<Id>> known) throws IOException {
        List<Backend.FileInfo> unindexed = stored.entrySet().stream().filter(e -> !indexed.containsKey(e.getKey()))
                .map(e -> new Backend.FileInfo(e.getKey().toHex(), e.getValue())).toList();
        Map<Id, String> unreadable = new java.util.concurrent.ConcurrentSkipListMap<>();
        Map<Id, List<PackedBlob>> read = repo.indexFromHeaders(unindexed,
                (id, why) -> unreadable.put(id, String.valueOf(why.getMessage())));
        unreadable.forEach((id, why) -> errors.add(Finding.of(Kind.PACK_HEADER, id.toHex(), why)));
        for (List<PackedBlob> blobs : read.values()) {
            for (PackedBlob b : blobs) {
                known.get(b.type()).add(b.id());
            }
        }
    }

    private Id parseName(String name, FileType what) {
        Id id = Id.parseOrNull(name);
        if (id == null) {
            hints.add(Finding.of(Kind.INVALID_NAME, what.dir(), name));
        }
        return id;
    }

    private List<Id> ids(List<Backend.FileInfo> files, FileType what) {
        List<Id> out = new ArrayList<>();
        for (Backend.FileInfo f : files) {
            Id id = parseName(f.name(), what);
            if (id != null) {
                out.add(id);
            }
        }
        return out;
    }

    /** A file's decoded content, or why it could not be read or decoded. */
    private record Loaded<T>(T value, Exception failure) {
    }

    private interface Loader<T> {
        T load(Id id) throws IOException;
    }

    /**
     * Loads and decodes these files on up to 8 threads and hands each to {@code use} on this
     * thread, in their order, while the next few load: from a remote store each file costs a
     * round trip, and one after another they made a check of a year of daily backups (hundreds of
     * index and snapshot files) wait that many round trips. At most 16 wait decoded, so a large
     * index is not held twice (decoded, and merged).
     */
    private static <T> void loadInOrder(List<Id> ids, Loader<T> loader, java.util.function.BiConsumer<Id, Loaded<T>> use)
            throws IOException {
        if (ids.isEmpty()) {
            return;
        }
        int threads = Math.min(8, ids.size());
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "rempart-check-load");
            t.setDaemon(true);
            return t;
        });
        try {
            Deque<Future<Loaded<T>>> ahead = new ArrayDeque<>();
            int next = 0;
            for (Id id : ids) {
                for (; next < ids.size() && ahead.size() < 2 * threads; next++) {
                    Id n = ids.get(next);
                    ahead.add(pool.submit(() -> {
                        try {
                            return new Loaded<>(loader.load(n), null);
                        } catch (VaultException | IOException e) {
                            return new Loaded<>(null, e);
                        }
                    }));
                }
                Future<Loaded<T>> f = ahead.poll();
                try {
                    use.accept(id, f.get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re; // a bug, not a damaged file
                    }
                    throw new IOException(e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The same blob may appear twice for one pack if two index files list it. */
    private static List<PackedBlob> dedupe(List<PackedBlob> bs) {
        Map<String, PackedBlob> m = new java.util.LinkedHashMap<>();
        for (PackedBlob b : bs) {
            m.putIfAbsent(b.type() + b.id().toHex() + "@" + b.offset(), b);
        }
        return new ArrayList<>(m.values());
    }

    private long checkSnapshots(List<Backend.FileInfo> files, Map<BlobType, Set<Id>> known) throws IOException {
        Set<Id> seenTrees = new HashSet<>();
        AtomicLong blobs = new AtomicLong();
        loadInOrder(ids(files, FileType.SNAPSHOT), id -> Snapshot.parse(id, repo.loadUnpacked(FileType.SNAPSHOT, id)),
                (sid, loaded) -> {
                    if (damaged(loaded.failure())) {
                        errors.add(Finding.of(Kind.SNAPSHOT_DAMAGED, sid.toHex()));
                    } else if (loaded.failure() != null) {
                        errors.add(Finding.of(Kind.SNAPSHOT_UNREADABLE, sid.toHex(), loaded.failure().getMessage()));
                    } else {
                        walk(sid, loaded.value(), known, seenTrees, blobs);
                    }
                });
        return blobs.get();
    }

    /** Checks the trees of one snapshot that no snapshot before it shared. */
    private void walk(Id sid, Snapshot sn, Map<BlobType, Set<Id>> known, Set<Id> seenTrees, AtomicLong blobs) {
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {sn.tree(), "/"});
        while (!stack.isEmpty()) {
            Object[] item = stack.pop();
            Id tid = (Id) item[0];
            String path = (String) item[1];
            if (!seenTrees.add(tid)) {
                continue;
            }
            if (!known.get(BlobType.TREE).contains(tid)) {
                errors.add(Finding.of(Kind.TREE_NOT_INDEXED, sid.shortHex(), tid.toHex(), path));
                continue;
            }
            List<Node> nodes;
            try {
                nodes = Tree.decode(repo.loadBlob(BlobType.TREE, tid));
            } catch (VaultException | IOException e) {
                errors.add(Finding.of(Kind.TREE_UNREADABLE, sid.shortHex(), tid.toHex(), path, e.getMessage()));
                continue;
            }
            blobs.incrementAndGet();
            for (Node n : nodes) {
                String p = path + new String(n.name(), StandardCharsets.UTF_8);
                if (n.type() == NodeType.DIR) {
                    if (n.subtree() == null) {
                        errors.add(Finding.of(Kind.DIR_WITHOUT_SUBTREE, sid.shortHex(), p));
                    } else {
                        stack.push(new Object[] {n.subtree(), p + "/"});
                    }
                } else if (n.type() == NodeType.FILE) {
                    if (n.content() == null) {
                        errors.add(Finding.of(Kind.FILE_WITHOUT_CONTENT, sid.shortHex(), p));
                        continue;
                    }
                    long sum = 0;
                    boolean missing = false;
                    for (Id b : n.content()) {
                        PackedBlob pb = repo.index().lookup(BlobType.DATA, b);
                        if (pb == null) {
                            errors.add(Finding.of(Kind.DATA_NOT_INDEXED, sid.shortHex(), p, b.toHex()));
                            missing = true;
                        } else {
                            sum += pb.plaintextLength(MasterKey.OVERHEAD);
                        }
                        blobs.incrementAndGet();
                    }
                    if (sum != n.size() && !missing) { // a missing blob already explains the size
                        errors.add(Finding.of(Kind.FILE_SIZE, sid.shortHex(), p, n.size(), sum));
                    }
                }
            }
        }
    }

    static List<Id> selectPacks(List<Id> packs, String subset) {
        Collections.sort(packs);
        if (subset == null || subset.isBlank()) {
            return packs;
        }
        String s = subset.strip();
        if (s.endsWith("%")) {
            double pct = Double.parseDouble(s.substring(0, s.length() - 1));
            if (!(pct > 0 && pct <= 100)) {
                throw new IllegalArgumentException("invalid subset percentage: " + subset);
            }
            List<Id> shuffled = new ArrayList<>(packs);
            Collections.shuffle(shuffled, new SecureRandom());
            int n = (int) Math.ceil(packs.size() * pct / 100.0);
            return shuffled.subList(0, Math.min(n, shuffled.size()));
        }
        String[] nm = s.split("/");
        if (nm.length != 2) {
            throw new IllegalArgumentException("invalid subset: " + subset + " (use N% or n/m)");
        }
        int n = Integer.parseInt(nm[0]);
        int m = Integer.parseInt(nm[1]);
        if (m < 1 || n < 1 || n > m) {
            throw new IllegalArgumentException("invalid subset: " + subset);
        }
        // Group by the first byte of the pack id, as restic does, so n/m over m runs covers all.
        List<Id> out = new ArrayList<>();
        for (Id p : packs) {
            int first = Integer.parseInt(p.toHex().substring(0, 2), 16);
            if (first % m == n - 1) {
                out.add(p);
            }
        }
        return out;
    }

    private long readPacks(List<Id> packs, Map<Id, Long> stored, Map<Id, List<PackedBlob>> indexed) throws IOException {
        int cores = Math.max(2, Runtime.getRuntime().availableProcessors());
        // A remote store answers each pack after a round trip, during which its reader waits: at
        // least 5 readers (restic's connections). Through `vault serve` behind a 30 ms line, the 3 GB
        // benchmark repository: 5.39-5.49 s against 5.82-5.93 s with 3 (3 alternated runs), 5 MiB
        // more memory; on loopback the same time either way (5.0-5.2 s).
        int threads = repo.backend().readsAreCheap() ? cores : Math.max(cores + 1, 5);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "rempart-check");
            t.setDaemon(true);
            return t;
        });
        AtomicLong done = new AtomicLong();
        try {
            List<Future<?>> fs = new ArrayList<>();
            java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(threads * 2);
            for (Id p : packs) {
                try {
                    window.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
                fs.add(pool.submit(() -> {
                    try {
                        readPack(p, stored.get(p), indexed.get(p));
                    } finally {
                        window.release();
                        progress.packDone(done.incrementAndGet(), packs.size());
                    }
                }));
            }
            for (Future<?> f : fs) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                } catch (java.util.concurrent.ExecutionException e) {
                    errors.add(Finding.of(Kind.INTERNAL, e.getCause()));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return packs.size();
    }

    /**
     * Largest pack tail (its header, and any bytes no indexed blob claims) read into memory when a
     * pack is read in the index's order; a tail beyond that is read header first.
     */
    private static final int MAX_TAIL = 16 << 20;

    /**
     * Reads a pack front to back, one blob at a time, hashing everything on the way: memory stays at
     * one blob per thread however large packs are. An indexed pack is read in one pass, in the
     * order its index lists the blobs, its header last: from a remote store, reading the header
     * first cost a round trip per pack (a request for the last bytes, then another for the rest).
     * A pack no index lists, or lists in a way that cannot be followed, is read header first.
     */
    private void readPack(Id packId, long size, List<PackedBlob> fromIndex) {
        String name = packId.toHex();
        List<PackedBlob> plan = fromIndex == null ? null : inStoredOrder(fromIndex, size);
        List<PackedBlob> header = null;
        if (plan == null) {
            try {
                header = repo.listPack(packId, size);
            } catch (IOException e) {
                errors.add(Finding.of(Kind.PACK_UNREADABLE, name, e.getMessage()));
                return;
            } catch (VaultException e) {
                errors.add(Finding.of(Kind.PACK_HEADER, name, e.getMessage()));
                return;
            }
            plan = withoutOverlaps(name, header);
        }
        boolean headerLast = header == null;
        java.security.MessageDigest md = Id.sha256();
        Map<String, VaultException> failed = new HashMap<>();
        byte[] tail = null;
        try {
            long pos = 0;
            for (PackedBlob b : plan) {
                digest(packId, pos, b.offset() - pos, md); // a gap no blob claims, if any
                pos = b.offset() + b.length();
                try {
                    repo.verifyBlob(b, md);
                } catch (VaultException e) {
                    failed.put(key(b), e);
                }
            }
            if (headerLast) {
                tail = new byte[(int) (size - pos)];
                repo.backend().readSequential(FileType.PACK, packId.toHex(), pos, tail, 0, tail.length);
                md.update(tail);
            } else {
                digest(packId, pos, size - pos, md); // the header
            }
        } catch (IOException e) {
            errors.add(Finding.of(Kind.PACK_UNREADABLE, name, e.getMessage()));
            return;
        }
        if (!Id.fromDigest(md).equals(packId)) {
            errors.add(Finding.of(Kind.PACK_HASH, name));
        }
        if (headerLast) {
            try {
                header = repo.parsePackHeader(packId, tail, size);
            } catch (VaultException e) {
                errors.add(Finding.of(Kind.PACK_HEADER, name, e.getMessage()));
                return;
            }
        }
        // A blob the index places where the header has none is the index's error, not the blob's.
        Set<String> inHeader = keys(header);
        for (PackedBlob b : plan) {
            if (inHeader.contains(key(b)) && failed.containsKey(key(b))) {
                errors.add(damaged(name, b, failed.get(key(b))));
            }
        }
        if (fromIndex != null) {
            for (PackedBlob b : dedupe(fromIndex)) {
                if (!inHeader.contains(key(b))) {
                    errors.add(Finding.of(Kind.BLOB_NOT_IN_HEADER, name, b.type().json(), b.id().toHex(), b.offset()));
                }
            }
        }
        if (headerLast) {
            // The header's blobs that no index places there (rare: a duplicate, a lost index file)
            // are checked on their own, as reading header first would have.
            Set<String> streamed = keys(plan);
            for (PackedBlob b : header) {
                if (!streamed.contains(key(b))) {
                    try {
                        repo.loadBlobShared(b);
                    } catch (VaultException e) {
                        errors.add(damaged(name, b, e));
                    } catch (IOException e) {
                        errors.add(Finding.of(Kind.PACK_UNREADABLE, name, e.getMessage()));
                    }
                }
            }
        }
    }

    /**
     * The index's blobs of a pack sorted by offset, or null where they cannot drive a single pass:
     * overlapping, or leaving more than {@link #MAX_TAIL} bytes (or less than nothing) after them.
     */
    private static List<PackedBlob> inStoredOrder(List<PackedBlob> fromIndex, long size) {
        List<PackedBlob> blobs = dedupe(fromIndex);
        blobs.sort(java.util.Comparator.comparingLong(PackedBlob::offset));
        long pos = 0;
        for (PackedBlob b : blobs) {
            if (b.offset() < pos) {
                return null;
            }
            pos = b.offset() + b.length();
        }
        return pos <= size && size - pos <= MAX_TAIL ? blobs : null;
    }

    /** The header's blobs sorted by offset; one that overlaps the blob before it is reported and left out. */
    private List<PackedBlob> withoutOverlaps(String name, List<PackedBlob> header) {
        List<PackedBlob> sorted = new ArrayList<>(header);
        sorted.sort(java.util.Comparator.comparingLong(PackedBlob::offset));
        List<PackedBlob> out = new ArrayList<>();
        long pos = 0;
        for (PackedBlob b : sorted) {
            if (b.offset() < pos) {
                errors.add(Finding.of(Kind.BLOB_OVERLAPS, name, b.type().json(), b.id().toHex()));
                continue;
            }
            out.add(b);
            pos = b.offset() + b.length();
        }
        return out;
    }

    private static Set<String> keys(List<PackedBlob> blobs) {
        Set<String> out = new HashSet<>();
        for (PackedBlob b : blobs) {
            out.add(key(b));
        }
        return out;
    }

    /** Adds {@code len} bytes of the pack at {@code pos} to its digest, a megabyte at a time. */
    private void digest(Id packId, long pos, long len, java.security.MessageDigest md) throws IOException {
        for (long end = pos + len; pos < end; ) {
            int n = (int) Math.min(end - pos, 1 << 20);
            byte[] buf = Repository.blobBuffer(n);
            repo.backend().readSequential(FileType.PACK, packId.toHex(), pos, buf, 0, n);
            md.update(buf, 0, n);
            pos += n;
        }
    }

    private static String key(PackedBlob b) {
        return b.type() + ":" + b.id().toHex() + ":" + b.offset() + ":" + b.length();
    }

    /** What a blob's failed verification says: damaged as a whole (MAC, hash), or another failure. */
    private static Finding damaged(String pack, PackedBlob b, VaultException e) {
        if (e.problem() == VaultException.Problem.BLOB_UNAUTHENTIC) {
            return Finding.of(Kind.BLOB_UNAUTHENTIC, pack, b.type().json(), b.id().toHex());
        }
        if (e.problem() == VaultException.Problem.BLOB_WRONG_HASH) {
            return Finding.of(Kind.BLOB_WRONG_HASH, pack, b.type().json(), b.id().toHex());
        }
        return Finding.of(Kind.BLOB_DAMAGED, pack, b.type().json(), b.id().toHex(), e.getMessage());
    }
}
