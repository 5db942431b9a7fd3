package eu.rempart.vault.archiver;

import java.time.Instant;
import java.util.List;

/**
 * How a backup is made.
 *
 * @param workers threads reading files concurrently
 */
public record BackupOptions(String hostname, String username, List<String> tags, Excludes excludes, int workers,
        Instant time, String programVersion) {

    public BackupOptions {
        tags = tags == null ? List.of() : List.copyOf(tags);
        excludes = excludes == null ? Excludes.none() : excludes;
        workers = Math.max(1, workers);
        time = time == null ? Instant.now() : time;
    }

    public static BackupOptions defaults(String hostname, String username) {
        return new BackupOptions(hostname, username, List.of(), Excludes.none(),
                Integer.getInteger("rempart.workers", Math.max(2, Runtime.getRuntime().availableProcessors())), null, "rempart");
    }

    public BackupOptions withTags(List<String> t) {
        return new BackupOptions(hostname, username, t, excludes, workers, time, programVersion);
    }

    public BackupOptions withExcludes(Excludes e) {
        return new BackupOptions(hostname, username, tags, e, workers, time, programVersion);
    }
}
