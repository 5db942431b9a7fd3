package eu.rempart.agent.notify;

import java.time.Instant;
import java.util.Objects;

/**
 * A scheduled run ended in failure.
 *
 * @param job   "backup", "copy", "forget", "prune", "check" or "restore-test" (others are shown as given)
 * @param error what went wrong, as the run reported it (may span several lines); null is taken as ""
 */
public record RunFailed(String host, String repository, String job, Instant started, Instant finished, String error)
        implements Notification {
    public RunFailed {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(finished, "finished");
        error = error == null ? "" : error;
    }
}
