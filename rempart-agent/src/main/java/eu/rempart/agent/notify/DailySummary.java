package eu.rempart.agent.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The daily report of one machine: the state of each repository, then the runs since the last
 * report (shown in the order given).
 */
public record DailySummary(String host, Instant now, List<RepositoryStatus> repositories, List<RunLine> runs)
        implements Notification {
    public DailySummary {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(now, "now");
        repositories = List.copyOf(repositories);
        runs = List.copyOf(runs);
    }

    /**
     * @param lastGoodBackup the end of the last successful backup, null if none ever succeeded
     * @param failuresLast24h failed runs of this repository in the last 24 hours
     */
    public record RepositoryStatus(String repository, Instant lastGoodBackup, int failuresLast24h) {
        public RepositoryStatus {
            Objects.requireNonNull(repository, "repository");
            if (failuresLast24h < 0) {
                throw new IllegalArgumentException("failuresLast24h must not be negative: " + failuresLast24h);
            }
        }

        /** Never backed up, or failing: someone should look. */
        boolean needsAttention() {
            return lastGoodBackup == null || failuresLast24h > 0;
        }
    }

    /**
     * One run.
     *
     * @param job     as in {@link RunFailed#job()}
     * @param summary one line on what the run did or why it failed; null is taken as ""
     */
    public record RunLine(String repository, String job, Instant started, Duration took, boolean ok, String summary) {
        public RunLine {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(job, "job");
            Objects.requireNonNull(started, "started");
            Objects.requireNonNull(took, "took");
            summary = summary == null ? "" : summary;
        }
    }
}
