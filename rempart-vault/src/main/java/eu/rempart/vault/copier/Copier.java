package eu.rempart.vault.copier;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
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
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Copies snapshots from one repository to another, as restic's {@code copy} does: only the blobs
 * the destination lacks are read, decrypted and stored again under the destination's key. The
 * snapshot is written last, after its data and index, so the destination never holds a snapshot
 * whose data is missing; an interrupted copy is simply run again. A copied snapshot records the
 * id of its source in {@code original}, which is how a later copy recognises it.
 *
 * <p>Blob ids are hashes of the plaintext, so when both repositories share the chunker polynomial
 * ({@code init --copy-chunker-params}) a backup made directly into the destination deduplicates
 * against copied data.
 */
public final class Copier {
    /** What a copy did. */
    public record Result(List<Copied> copied, List<Id> skipped, long blobs, long bytes) {
    }

    /** One source snapshot and the id of its copy. */
    public record Copied(Id source, Id copy) {
    }

    /** Callbacks during a copy, on the copying thread. All default to doing nothing. */
    public interface Progress {
        Progress NONE = new Progress() {
        };

        /** The {@code n}th (from 1) of {@code total} snapshots to copy starts. */
        default void snapshot(int n, int total) {
        }

        /** A blob the destination lacked was stored there; {@code copied} blobs, {@code bytes} so far. */
        default void copied(long blobs, long bytes) {
        }
    }

    private final Repository src;
    private final Repository dst;
    private final Progress progress;
    private long blobs;
    private long bytes;

    private Copier(Repository src, Repository dst, Progress progress) {
        this.src = src;
        this.dst = dst;
        this.progress = progress;
    }

    /**
     * Copies {@code snapshots} (from {@code src}) that {@code dst} does not hold yet. Both indexes
     * must be loaded.
     */
    public static Result copy(Repository src, Repository dst, List<Snapshot> snapshots) throws IOException {
        return copy(src, dst, snapshots, Progress.NONE);
    }

    /** {@link #copy(Repository, Repository, List)}, telling {@code progress} how it goes. */
    public static Result copy(Repository src, Repository dst, List<Snapshot> snapshots, Progress progress)
            throws IOException {
        Map<Id, List<Snapshot>> byOriginal = new HashMap<>();
        // a damaged copy in dst does not count as there: copied again, it is whole once more
        for (Snapshot s : Snapshots.list(dst).snapshots()) {
            byOriginal.computeIfAbsent(s.origin(), k -> new ArrayList<>()).add(s);
        }
        Copier c = new Copier(src, dst, progress);
        List<Copied> copied = new ArrayList<>();
        List<Id> skipped = new ArrayList<>();
        int n = 0;
        for (Snapshot s : snapshots) {
            progress.snapshot(++n, snapshots.size());
            boolean present = byOriginal.getOrDefault(s.origin(), List.of()).stream().anyMatch(d -> similar(d, s));
            if (present) {
                skipped.add(s.id());
                continue;
            }
            c.copyTree(s.tree());
            dst.flush(); // data and index first: a snapshot never points at what is not stored
            Snapshot copy = new Snapshot(null, s.time(), null, s.tree(), s.paths(), s.hostname(), s.username(),
                    s.uid(), s.gid(), s.excludes(), s.tags(), s.origin(), s.programVersion(), s.summary());
            Id id = Snapshots.save(dst, copy);
            copied.add(new Copied(s.id(), id));
            byOriginal.computeIfAbsent(s.origin(), k -> new ArrayList<>()).add(copy.withId(id));
        }
        return new Result(copied, skipped, c.blobs, c.bytes);
    }

    /** restic's test for "the same snapshot": a copy keeps these fields unchanged. */
    private static boolean similar(Snapshot a, Snapshot b) {
        return a.time().equals(b.time()) && Objects.equals(a.tree(), b.tree())
                && Objects.equals(a.hostname(), b.hostname()) && Objects.equals(a.username(), b.username())
                && new TreeSet<>(a.paths()).equals(new TreeSet<>(b.paths()))
                && new TreeSet<>(a.tags()).equals(new TreeSet<>(b.tags()));
    }

    /** A tree on the walk's stack: children first, then the tree itself (json set once expanded). */
    private record Step(Id id, byte[] json) {
    }

    /**
     * Walks the tree depth-first with an explicit stack (trees can be deep) and stores every tree
     * after everything below it. A tree the destination already has is therefore complete there,
     * even after an interrupted copy, and is not descended (as in restic).
     */
    private void copyTree(Id root) throws IOException {
        Deque<Step> todo = new ArrayDeque<>();
        Set<Id> seen = new HashSet<>();
        todo.push(new Step(root, null));
        while (!todo.isEmpty()) {
            Step step = todo.pop();
            if (step.json() != null) {
                if (dst.saveBlob(BlobType.TREE, step.id(), step.json())) {
                    counted(step.json().length);
                }
                continue;
            }
            if (!seen.add(step.id()) || dst.index().has(BlobType.TREE, step.id())) {
                continue;
            }
            byte[] json = src.loadBlob(BlobType.TREE, step.id());
            todo.push(new Step(step.id(), json));
            for (Node n : Tree.decode(json)) {
                if (n.type() == NodeType.DIR && n.subtree() != null) {
                    todo.push(new Step(n.subtree(), null));
                } else if (n.type() == NodeType.FILE && n.content() != null) {
                    for (Id data : n.content()) {
                        copyBlob(BlobType.DATA, data);
                    }
                }
            }
        }
    }

    private void copyBlob(BlobType type, Id id) throws IOException {
        if (dst.index().has(type, id)) {
            return;
        }
        BlobData d = src.loadBlobShared(type, id);
        if (dst.saveBlob(type, id, d.array(), d.offset(), d.length())) {
            counted(d.length());
        }
    }

    private void counted(int length) {
        blobs++;
        bytes += length;
        progress.copied(blobs, bytes);
    }
}
