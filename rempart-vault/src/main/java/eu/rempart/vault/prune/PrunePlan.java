package eu.rempart.vault.prune;

import eu.rempart.vault.BlobHandle;
import eu.rempart.vault.Id;
import eu.rempart.vault.pack.PackedBlob;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;

/**
 * What a prune will do, decided by {@link Pruner#plan}: nothing has been changed yet. Valid only
 * while the exclusive lock taken for planning is held.
 */
public final class PrunePlan {
    final PruneStats stats;
    /** Pack files no index lists: left by an interrupted backup, deleted first. */
    final SortedSet<Id> removeFirst;
    /** Packs whose used blobs are copied to new packs, then deleted. */
    final SortedSet<Id> repack;
    /** Packs with no used blob, deleted. */
    final SortedSet<Id> remove;
    /** Packs the index lists but the store lacks, none of whose blobs is used: dropped from the index. */
    final SortedSet<Id> ignore;
    /** Used blobs to copy out of {@link #repack} (those not also kept elsewhere). */
    final Set<BlobHandle> keepBlobs;
    /** The index as loaded: every pack's blobs (one entry per blob and pack). */
    final Map<Id, List<PackedBlob>> indexed;
    /** The index files loaded. */
    final Set<Id> indexFiles;

    PrunePlan(PruneStats stats, SortedSet<Id> removeFirst, SortedSet<Id> repack, SortedSet<Id> remove,
            SortedSet<Id> ignore, Set<BlobHandle> keepBlobs, Map<Id, List<PackedBlob>> indexed, Set<Id> indexFiles) {
        this.stats = stats;
        this.removeFirst = removeFirst;
        this.repack = repack;
        this.remove = remove;
        this.ignore = ignore;
        this.keepBlobs = keepBlobs;
        this.indexed = indexed;
        this.indexFiles = indexFiles;
    }

    public PruneStats stats() {
        return stats;
    }

    public SortedSet<Id> unreferencedPacks() {
        return java.util.Collections.unmodifiableSortedSet(removeFirst);
    }

    public SortedSet<Id> packsToRepack() {
        return java.util.Collections.unmodifiableSortedSet(repack);
    }

    public SortedSet<Id> packsToDelete() {
        return java.util.Collections.unmodifiableSortedSet(remove);
    }

    /** Missing packs, none of whose blobs is needed, that the rebuilt index will no longer list. */
    public SortedSet<Id> missingPacksToForget() {
        return java.util.Collections.unmodifiableSortedSet(ignore);
    }

    /** True if running the plan would change nothing. */
    public boolean isEmpty() {
        return removeFirst.isEmpty() && repack.isEmpty() && remove.isEmpty() && ignore.isEmpty();
    }
}
