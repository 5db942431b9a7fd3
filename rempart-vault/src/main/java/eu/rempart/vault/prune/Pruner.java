package eu.rempart.vault.prune;

import eu.rempart.vault.BlobHandle;
import eu.rempart.vault.BlobType;
import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.index.IndexFile;
import eu.rempart.vault.pack.PackHeader;
import eu.rempart.vault.pack.PackedBlob;
import eu.rempart.vault.prune.PruneProgress.Phase;
import eu.rempart.vault.repository.BlobData;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.NodeType;
import eu.rempart.vault.tree.Tree;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * restic's {@code prune}: removes the data no snapshot uses any more, with restic 0.14's choices of
 * what to delete and what to repack, and in an order that leaves a repository that checks clean
 * wherever it is interrupted:
 * <ol>
 * <li>pack files no index lists (left by interrupted backups) are deleted;</li>
 * <li>the used blobs of the packs to repack are stored again in new packs, which get an index file;</li>
 * <li>a new index is written that lists every pack kept and none of those going; then the old
 * index files are deleted;</li>
 * <li>the packs no longer listed are deleted.</li>
 * </ol>
 * A kill leaves, at worst, packs no index lists or packs listed by two index files: restic's check
 * reports both as harmless and the next prune tidies them up.
 *
 * <p>The caller must hold an exclusive lock from before {@link #plan} until {@link #execute} has
 * returned: restic's locking rules are what keep a concurrent backup, which holds a shared lock,
 * from storing data into packs this prune removes. After {@code execute} the repository's
 * in-memory index is stale; open the repository again to go on using it.
 */
public final class Pruner {
    /** Without {@code --repack-small}, fewer small packs than this are left alone. */
    private static final int MIN_SMALL_PACKS = 10;

    /** What a prune did. */
    public record Result(PruneStats stats, int packsDeleted, int packsWritten, int indexFilesWritten,
            int indexFilesDeleted) {
    }

    private Pruner() {
    }

    // ------------------------------------------------------------------ planning

    /**
     * Refuses options the repository cannot honour, before anything is read or changed (a forget
     * that prunes calls it before removing snapshots).
     */
    public static void checkOptions(Repository repo, PruneOptions opts) {
        if (opts.repackUncompressed() && repo.config().version() < 2) {
            throw new VaultException(VaultException.Problem.NEEDS_VERSION_2, String.valueOf(repo.config().version()),
                    "compression requires at least repository format version 2");
        }
    }

    /**
     * Loads the index and every snapshot, finds the blobs still in use and decides, as restic 0.14
     * does, which packs to delete and which to repack. Changes nothing.
     *
     * @throws VaultException if a used blob is not in the index, a needed pack is missing or has not
     *                        the size the index gives it, or a snapshot or tree cannot be read:
     *                        pruning then could lose data, so it is refused
     */
    public static PrunePlan plan(Repository repo, PruneOptions opts, PruneProgress progress) throws IOException {
        checkOptions(repo, opts);
        progress.phase(Phase.LOADING_INDEX, 0);
        Map<Id, List<PackedBlob>> indexed = new TreeMap<>();
        Set<Id> indexFiles = loadIndex(repo, indexed);

        progress.phase(Phase.LOADING_SNAPSHOTS, 0);
        List<Snapshot> snapshots = Snapshots.loadAll(repo);
        progress.phase(Phase.FINDING_USED_BLOBS, snapshots.size());
        Set<BlobHandle> used = usedBlobs(repo, snapshots, progress);

        progress.phase(Phase.PLANNING, 0);
        Tally t = new Tally();
        Map<Id, PackInfo> packs = new HashMap<>();
        Set<BlobHandle> keep = packInfo(indexed, used, t, packs);
        List<Backend.FileInfo> stored = repo.backend().list(FileType.PACK);
        return decide(repo, opts, packs, stored, t, keep, indexed, indexFiles);
    }

    /** Every index file, each pack's blobs taken once (a pack two index files list is one pack). */
    private static Set<Id> loadIndex(Repository repo, Map<Id, List<PackedBlob>> indexed) throws IOException {
        List<Backend.FileInfo> files = repo.backend().list(FileType.INDEX);
        Map<Id, IndexFile.Content> contents = new ConcurrentHashMap<>();
        repo.forEachFile("rempart-prune", files, f -> {
            Id id = Id.parse(f.name());
            IndexFile.Content c = IndexFile.decode(repo.loadUnpacked(FileType.INDEX, id), "index " + id.shortHex());
            contents.put(id, c);
            // the repository's own view, for reading trees
            repo.index().addIndexFile(id, c);
        });
        indexed.putAll(IndexFile.firstListings(contents));
        return new TreeSet<>(contents.keySet());
    }

    /**
     * Pruning a repository that misses data could lose more: refused, with {@code reason} (English)
     * as the {@link VaultException.Problem#PRUNE_REFUSED}'s argument.
     */
    private static VaultException refused(String reason, Throwable cause) {
        return new VaultException(VaultException.Problem.PRUNE_REFUSED, List.of(reason),
                reason + "; prune refused so as not to lose more, run check", cause);
    }

    /** The trees and data blobs the snapshots reach. */
    private static Set<BlobHandle> usedBlobs(Repository repo, List<Snapshot> snapshots, PruneProgress progress)
            throws IOException {
        Set<BlobHandle> used = new HashSet<>();
        Deque<Id> todo = new ArrayDeque<>();
        for (Snapshot s : snapshots) {
            todo.push(s.tree());
            while (!todo.isEmpty()) {
                Id tree = todo.pop();
                if (!used.add(new BlobHandle(tree, BlobType.TREE))) {
                    continue;
                }
                List<Node> nodes;
                try {
                    nodes = Tree.decode(repo.loadBlob(BlobType.TREE, tree));
                } catch (VaultException | IOException e) {
                    String why = e instanceof java.nio.file.NoSuchFileException ? "its pack is missing" : e.getMessage();
                    throw refused("snapshot " + s.shortId() + ": tree " + tree.shortHex() + " cannot be read (" + why + ")", e);
                }
                for (Node n : nodes) {
                    if (n.type() == NodeType.DIR && n.subtree() != null) {
                        todo.push(n.subtree());
                    } else if (n.type() == NodeType.FILE && n.content() != null) {
                        for (Id b : n.content()) {
                            used.add(new BlobHandle(b, BlobType.DATA));
                        }
                    }
                }
            }
            progress.advance(1);
        }
        return used;
    }

    /** A pack as prune sees it. */
    private static final class PackInfo {
        long usedBlobs;
        long unusedBlobs;
        long usedSize;
        long unusedSize;
        /** DATA, TREE, or null while unknown; mixed packs are {@link #mixed}. */
        BlobType type;
        boolean mixed;
        boolean uncompressed;

        long size() {
            return usedSize + unusedSize;
        }

        boolean data() {
            return !mixed && type == BlobType.DATA;
        }
    }

    /** Counters of {@link PruneStats}, filled while planning. */
    private static final class Tally {
        long usedBlobs, duplicateBlobs, unusedBlobs, removeBlobs, repackBlobs, repackRmBlobs;
        long usedSize, duplicateSize, unusedSize, removeSize, repackSize, repackRmSize, unrefSize;
        long packsUsed, packsUnused, packsPartly, packsUnref, packsKeep, packsRepack, packsRemove;

        PruneStats stats() {
            return new PruneStats(
                    new PruneStats.Blobs(usedBlobs, duplicateBlobs, unusedBlobs, removeBlobs, repackBlobs, repackRmBlobs),
                    new PruneStats.Sizes(usedSize, duplicateSize, unusedSize, removeSize, repackSize, repackRmSize, unrefSize),
                    new PruneStats.Packs(packsUsed, packsUnused, packsPartly, packsUnref, packsKeep, packsRepack, packsRemove));
        }
    }

    /**
     * Counts used, duplicate and unused blobs and sizes each pack's used and unused part. Of a blob
     * stored several times exactly one copy counts as used: preferably one in a pack with other used
     * blobs, else the last one met (restic's rule).
     *
     * @return the used blobs
     */
    private static Set<BlobHandle> packInfo(Map<Id, List<PackedBlob>> indexed, Set<BlobHandle> used, Tally t,
            Map<Id, PackInfo> packs) {
        Set<BlobHandle> keep = new HashSet<>();
        Map<BlobHandle, Integer> duplicates = new HashMap<>();
        for (List<PackedBlob> blobs : indexed.values()) {
            for (PackedBlob b : blobs) {
                BlobHandle h = new BlobHandle(b.id(), b.type());
                if (used.remove(h)) {
                    keep.add(h);
                    t.usedSize += b.length();
                    t.usedBlobs++;
                } else if (keep.contains(h)) {
                    duplicates.merge(h, 2, (old, two) -> Math.min(255, old + 1));
                    t.duplicateSize += b.length();
                    t.duplicateBlobs++;
                } else {
                    t.unusedSize += b.length();
                    t.unusedBlobs++;
                }
            }
        }
        if (!used.isEmpty()) {
            BlobHandle h = used.iterator().next();
            throw refused(used.size() + " blobs the snapshots use are not in the index (e.g. "
                    + h.type().json() + " blob " + h.id().shortHex() + "): data seems to be missing", null);
        }
        for (Map.Entry<Id, List<PackedBlob>> e : indexed.entrySet()) {
            PackInfo p = new PackInfo();
            p.usedSize = PackHeader.overhead(e.getValue());
            for (PackedBlob b : e.getValue()) {
                if (p.type == null) {
                    p.type = b.type();
                } else if (p.type != b.type()) {
                    p.mixed = true;
                }
                BlobHandle h = new BlobHandle(b.id(), b.type());
                if (duplicates.containsKey(h)) {
                    continue; // decided below
                }
                if (keep.contains(h)) {
                    p.usedSize += b.length();
                    p.usedBlobs++;
                } else {
                    p.unusedSize += b.length();
                    p.unusedBlobs++;
                }
                if (!b.compressed()) {
                    p.uncompressed = true;
                }
            }
            packs.put(e.getKey(), p);
        }
        if (duplicates.isEmpty()) {
            return keep;
        }
        for (Map.Entry<Id, List<PackedBlob>> e : indexed.entrySet()) {
            PackInfo p = packs.get(e.getKey());
            for (PackedBlob b : e.getValue()) {
                BlobHandle h = new BlobHandle(b.id(), b.type());
                Integer count = duplicates.get(h);
                if (count == null) {
                    continue;
                }
                if (!b.compressed()) {
                    p.uncompressed = true;
                }
                if (count == 0) {
                    // the used copy has been chosen
                    p.unusedSize += b.length();
                    p.unusedBlobs++;
                } else if (p.usedBlobs > 0 || count == 1) {
                    p.usedSize += b.length();
                    p.usedBlobs++;
                    duplicates.put(h, 0);
                } else {
                    p.unusedSize += b.length();
                    p.unusedBlobs++;
                    duplicates.put(h, count - 1);
                }
            }
        }
        return keep;
    }

    private record Candidate(Id id, PackInfo info) {
    }

    private static PrunePlan decide(Repository repo, PruneOptions opts, Map<Id, PackInfo> packs,
            List<Backend.FileInfo> stored, Tally t, Set<BlobHandle> keep, Map<Id, List<PackedBlob>> indexed,
            Set<Id> indexFiles) {
        SortedSet<Id> removeFirst = new TreeSet<>();
        SortedSet<Id> remove = new TreeSet<>();
        SortedSet<Id> repack = new TreeSet<>();
        List<Candidate> candidates = new ArrayList<>();
        List<Candidate> small = new ArrayList<>();
        int version = repo.config().version();
        // only very small packs are worth repacking for their size alone, unless asked
        long target = opts.repackSmall() ? repo.packSize() / 5 * 4 : repo.packSize() / 25;

        Map<Id, PackInfo> missing = new HashMap<>(packs);
        List<Backend.FileInfo> files = new ArrayList<>(stored);
        files.sort(Comparator.comparing(Backend.FileInfo::name));
        for (Backend.FileInfo f : files) {
            Id id = Id.parseOrNull(f.name());
            if (id == null) {
                continue; // not a pack restic would list either
            }
            PackInfo p = missing.remove(id);
            if (p == null) {
                removeFirst.add(id);
                t.unrefSize += f.size();
                continue;
            }
            if (p.size() != f.size() && p.usedBlobs != 0) {
                throw refused("pack " + id.shortHex() + ": size " + f.size() + " does not match the index (" + p.size() + ")",
                        null);
            }
            if (p.usedBlobs == 0) {
                t.packsUnused++;
            } else if (p.unusedBlobs == 0) {
                t.packsUsed++;
            } else {
                t.packsPartly++;
            }
            // format 2 stores trees compressed; old uncompressed ones are rewritten
            boolean mustCompress = version >= 2 && p.uncompressed
                    && ((!p.mixed && p.type == BlobType.TREE) || opts.repackUncompressed());
            p.uncompressed = mustCompress;
            if (p.usedBlobs == 0) {
                remove.add(id);
                t.removeBlobs += p.unusedBlobs;
                t.removeSize += p.unusedSize;
            } else if (opts.repackCacheableOnly() && p.data()) {
                t.packsKeep++;
            } else if (p.unusedBlobs == 0 && !p.mixed && !mustCompress) {
                if (f.size() >= target) {
                    t.packsKeep++;
                } else {
                    small.add(new Candidate(id, p));
                }
            } else {
                candidates.add(new Candidate(id, p));
            }
        }

        SortedSet<Id> ignore = new TreeSet<>();
        List<Id> needed = new ArrayList<>();
        for (Map.Entry<Id, PackInfo> e : missing.entrySet()) {
            PackInfo p = e.getValue();
            if (p.usedBlobs == 0) {
                ignore.add(e.getKey());
                t.removeBlobs += p.unusedBlobs;
                t.removeSize += p.unusedSize;
            } else {
                needed.add(e.getKey());
            }
        }
        if (!needed.isEmpty()) {
            needed.sort(null);
            throw refused("the index references " + needed.size()
                    + " needed pack files missing from the repository (e.g. " + needed.get(0).toHex() + ")", null);
        }

        if (small.size() < MIN_SMALL_PACKS) {
            // too few to be worth it; also stops a lone small pack from being repacked forever
            t.packsKeep += small.size();
        } else {
            candidates.addAll(small);
        }
        // tree and mixed packs first, then small ones, then by the share of unused space
        candidates.sort((a, b) -> {
            PackInfo pi = a.info();
            PackInfo pj = b.info();
            if (!pi.data() && pj.data()) {
                return -1;
            }
            if (!pj.data() && pi.data()) {
                return 1;
            }
            boolean si = pi.size() < target;
            boolean sj = pj.size() < target;
            if (si != sj) {
                return si ? -1 : 1;
            }
            return Long.compare(pj.unusedSize * pi.usedSize, pi.unusedSize * pj.usedSize);
        });
        long maxUnusedAfter = opts.maxUnused().allowed(t.usedSize);
        for (Candidate c : candidates) {
            PackInfo p = c.info();
            // Extra copies of duplicate blobs are unused too, and the removal tallies include them.
            // restic 0.14 leaves them out here; once those tallies pass its unused count, its
            // unsigned subtraction wraps around and it keeps repacking. A signed one went negative
            // and stopped, leaving duplicate copies in kept packs (KilledPruneIT: a prune rerun
            // after one killed while deleting old index files).
            boolean reachedUnused = t.unusedSize + t.duplicateSize - t.removeSize - t.repackRmSize < maxUnusedAfter;
            boolean reachedRepackSize = t.repackSize + p.size() >= opts.maxRepackBytes();
            boolean largeEnough = p.size() >= target;
            if (reachedRepackSize) {
                t.packsKeep++;
            } else if (!p.data() || p.uncompressed) {
                // tree packs and packs to compress are limited by the repack size only
                repack(repack, c, t);
            } else if (reachedUnused && largeEnough) {
                t.packsKeep++;
            } else {
                repack(repack, c, t);
            }
        }
        t.packsUnref = removeFirst.size();
        t.packsRepack = repack.size();
        t.packsRemove = remove.size();

        Set<BlobHandle> keepBlobs = ConcurrentHashMap.newKeySet();
        if (!repack.isEmpty()) {
            keepBlobs.addAll(keep);
            // blobs that stay in packs kept as they are need no copy
            for (Map.Entry<Id, List<PackedBlob>> e : indexed.entrySet()) {
                if (remove.contains(e.getKey()) || repack.contains(e.getKey())) {
                    continue;
                }
                for (PackedBlob b : e.getValue()) {
                    keepBlobs.remove(new BlobHandle(b.id(), b.type()));
                }
            }
        }
        return new PrunePlan(t.stats(), removeFirst, repack, remove, ignore, keepBlobs, indexed, indexFiles);
    }

    private static void repack(Set<Id> repack, Candidate c, Tally t) {
        PackInfo p = c.info();
        repack.add(c.id());
        t.repackBlobs += p.unusedBlobs + p.usedBlobs;
        t.repackSize += p.size();
        t.repackRmBlobs += p.unusedBlobs;
        t.repackRmSize += p.unusedSize;
    }

    // ------------------------------------------------------------------ execution

    /**
     * Carries out a plan made by {@link #plan} on the same repository, under the same exclusive lock.
     */
    public static Result execute(Repository repo, PrunePlan plan, PruneProgress progress) throws IOException {
        int deleted = 0;
        if (!plan.removeFirst.isEmpty()) {
            progress.phase(Phase.DELETING_UNREFERENCED, plan.removeFirst.size());
            deleted += delete(repo, FileType.PACK, plan.removeFirst, progress);
        }

        Set<Id> indexFilesBefore = repo.index().indexFiles();
        if (!plan.repack.isEmpty()) {
            progress.phase(Phase.REPACKING, plan.repack.size());
            repackAll(repo, plan, progress);
        }

        SortedSet<Id> drop = new TreeSet<>(plan.ignore);
        drop.addAll(plan.remove);
        drop.addAll(plan.repack);
        int written = 0;
        int packsWritten = 0;
        int indexDeleted = 0;
        if (!drop.isEmpty()) {
            progress.phase(Phase.REBUILDING_INDEX, 0);
            // the index files the repacking wrote, listing the new packs
            Set<Id> added = repo.index().indexFiles();
            added.removeAll(indexFilesBefore);
            Map<Id, List<PackedBlob>> packs = new TreeMap<>(plan.indexed);
            for (Id id : new TreeSet<>(added)) {
                IndexFile.Content c = IndexFile.decode(repo.loadUnpacked(FileType.INDEX, id), "index " + id.shortHex());
                packsWritten += c.packs().size();
                c.packs().forEach(packs::putIfAbsent);
            }
            packs.keySet().removeAll(drop);
            SortedSet<Id> obsolete = new TreeSet<>(plan.indexFiles);
            obsolete.addAll(added);
            written = repo.saveIndex(packs, List.copyOf(obsolete));

            progress.phase(Phase.DELETING_INDEX, obsolete.size());
            indexDeleted = delete(repo, FileType.INDEX, obsolete, progress);
        }

        SortedSet<Id> packsToDelete = new TreeSet<>(plan.remove);
        packsToDelete.addAll(plan.repack);
        if (!packsToDelete.isEmpty()) {
            progress.phase(Phase.DELETING_PACKS, packsToDelete.size());
            deleted += delete(repo, FileType.PACK, packsToDelete, progress);
        }
        return new Result(plan.stats, deleted, packsWritten, written, indexDeleted);
    }

    /** Stores the used blobs of the packs to repack again, then flushes packs and their index. */
    private static void repackAll(Repository repo, PrunePlan plan, PruneProgress progress) throws IOException {
        repo.forEachFile("rempart-prune", List.copyOf(plan.repack), pack -> {
            List<PackedBlob> blobs = new ArrayList<>();
            for (PackedBlob b : plan.indexed.get(pack)) {
                if (plan.keepBlobs.remove(new BlobHandle(b.id(), b.type()))) {
                    blobs.add(b);
                }
            }
            if (!blobs.isEmpty()) {
                long end = 0;
                for (PackedBlob b : blobs) {
                    end = Math.max(end, b.offset() + b.length());
                }
                byte[] buf = repo.backend().load(FileType.PACK, pack.toHex(), 0, Math.toIntExact(end));
                for (PackedBlob b : blobs) {
                    BlobData d = repo.decodeBlobShared(b, buf, Math.toIntExact(b.offset()));
                    repo.saveBlobAgain(b.type(), b.id(), d.array(), d.offset(), d.length());
                }
            }
            progress.advance(1);
        });
        repo.flush();
        if (!plan.keepBlobs.isEmpty()) {
            throw new VaultException(plan.keepBlobs.size() + " used blobs were not repacked (internal error); "
                    + "nothing has been deleted");
        }
    }

    private static int delete(Repository repo, FileType type, Collection<Id> ids, PruneProgress progress)
            throws IOException {
        repo.forEachFile("rempart-prune", List.copyOf(ids), id -> {
            repo.backend().remove(type, id.toHex());
            progress.advance(1);
        });
        return ids.size();
    }
}
