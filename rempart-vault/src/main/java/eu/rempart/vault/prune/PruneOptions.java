package eu.rempart.vault.prune;

import java.util.Objects;

/**
 * restic's prune options.
 *
 * @param maxUnused           unused data tolerated after pruning
 * @param maxRepackBytes      repack at most this many bytes ({@code Long.MAX_VALUE}: no limit)
 * @param repackCacheableOnly repack only tree packs
 * @param repackSmall         repack packs below 80 % of the target pack size (else below 4 %)
 * @param repackUncompressed  repack every uncompressed pack so that its data gets compressed
 */
public record PruneOptions(MaxUnused maxUnused, long maxRepackBytes, boolean repackCacheableOnly,
        boolean repackSmall, boolean repackUncompressed) {

    public static final PruneOptions DEFAULTS = new PruneOptions(MaxUnused.DEFAULT, Long.MAX_VALUE, false, false, false);

    public PruneOptions {
        Objects.requireNonNull(maxUnused, "maxUnused");
        if (maxRepackBytes < 0) {
            throw new IllegalArgumentException("maxRepackBytes must not be negative");
        }
    }
}
