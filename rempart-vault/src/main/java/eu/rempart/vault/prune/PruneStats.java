package eu.rempart.vault.prune;

/**
 * The figures restic's prune prints: what the repository holds and what pruning removes. Sizes are
 * the blobs' stored (encrypted, compressed) bytes; "unreferenced" are whole pack files no index lists.
 */
public record PruneStats(Blobs blobs, Sizes sizes, Packs packs) {

    /** Blob counts. */
    public record Blobs(long used, long duplicate, long unused, long remove, long repack, long repackRemove) {
    }

    /** Byte counts. */
    public record Sizes(long used, long duplicate, long unused, long remove, long repack, long repackRemove,
            long unreferenced) {
    }

    /** Pack counts. */
    public record Packs(long used, long unused, long partlyUsed, long unreferenced, long keep, long repack,
            long remove) {
    }

    public long totalBlobs() {
        return blobs.used + blobs.unused + blobs.duplicate;
    }

    public long totalSize() {
        return sizes.used + sizes.duplicate + sizes.unused + sizes.unreferenced;
    }

    /** Duplicate and unused bytes before pruning (unreferenced packs not included, as restic). */
    public long unusedSize() {
        return sizes.duplicate + sizes.unused;
    }

    public long pruneBlobs() {
        return blobs.remove + blobs.repackRemove;
    }

    public long pruneSize() {
        return sizes.remove + sizes.repackRemove + sizes.unreferenced;
    }

    public long unusedSizeAfter() {
        return unusedSize() - sizes.remove - sizes.repackRemove;
    }
}
