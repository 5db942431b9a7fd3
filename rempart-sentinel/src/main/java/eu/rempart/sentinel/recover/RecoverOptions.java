package eu.rempart.sentinel.recover;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What to roll back.
 *
 * @param since      files changed at or after this instant are rolled back
 * @param paths      absolute paths to check; empty: the reference snapshot's own paths
 * @param host       only snapshots of this host are considered; null or empty: any host
 * @param quarantine folder receiving the replaced and unexplained files (created 0700 when first needed)
 * @param dryRun     compute and report only: nothing on disk is changed, no quarantine is created
 */
public record RecoverOptions(Instant since, List<Path> paths, String host, Path quarantine, boolean dryRun) {
    public RecoverOptions {
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(quarantine, "quarantine");
        paths = paths == null ? List.of() : paths.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        quarantine = quarantine.toAbsolutePath().normalize();
    }
}
