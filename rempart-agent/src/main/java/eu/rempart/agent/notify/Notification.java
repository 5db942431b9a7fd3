package eu.rempart.agent.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** What the agent tells people. */
public sealed interface Notification {
    String host();

    /** A run failed or ended with warnings. */
    record RunFailed(String host, String repository, String job, Instant started, Instant finished, String error)
            implements Notification {
    }

    /** No good backup reached the repository within the expected interval. {@code lastSuccess} null: never. */
    record BackupMissing(String host, String repository, Instant lastSuccess, Duration expectedInterval, Instant now)
            implements Notification {
    }

    /** Once a day, if asked: each repository's state and the last day's runs. */
    record DailySummary(String host, Instant now, List<RepositoryLine> repositories, List<RunLine> runs)
            implements Notification {
    }

    record RepositoryLine(String repository, Instant lastGoodBackup, int failuresLast24h) {
    }

    record RunLine(String repository, String job, Instant started, Duration took, boolean ok, String summary) {
    }
}
