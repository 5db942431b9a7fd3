package eu.rempart.cli;

import eu.rempart.vault.prune.MaxUnused;
import eu.rempart.vault.prune.PruneOptions;
import picocli.CommandLine.Option;

/** restic's prune flags, shared by {@code prune} and {@code forget --prune}. */
final class PruneFlags {
    @Option(names = "--max-unused", paramLabel = "LIMIT", defaultValue = "5%",
            description = "tolerate this much unused data: N%%, a size (k, m, g, t suffixes) or 'unlimited' (default 5%%)")
    String maxUnused;

    @Option(names = "--max-repack-size", paramLabel = "SIZE", description = "repack at most this much data (k, m, g, t suffixes)")
    String maxRepackSize;

    @Option(names = "--repack-cacheable-only", description = "only repack packs holding trees")
    boolean repackCacheableOnly;

    @Option(names = "--repack-small", description = "repack packs below 80%% of the target pack size")
    boolean repackSmall;

    @Option(names = "--repack-uncompressed", description = "repack all uncompressed data")
    boolean repackUncompressed;

    PruneOptions options() {
        long maxRepack = maxRepackSize == null ? Long.MAX_VALUE : Cli.size(maxRepackSize, "--max-repack-size", true);
        try {
            return new PruneOptions(MaxUnused.parse(maxUnused), maxRepack, repackCacheableOnly, repackSmall,
                    repackUncompressed);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.ERROR, "error.pruneOption", e.getMessage());
        }
    }
}
