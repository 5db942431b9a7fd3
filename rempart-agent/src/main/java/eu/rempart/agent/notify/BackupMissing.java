package eu.rempart.agent.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * No backup of a repository has succeeded for longer than expected.
 *
 * @param lastSuccess      the end of the last successful backup, null if none ever succeeded
 * @param expectedInterval how often a backup should succeed (positive)
 * @param now              when the absence was noticed
 */
public record BackupMissing(String host, String repository, Instant lastSuccess, Duration expectedInterval, Instant now)
        implements Notification {
    public BackupMissing {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(expectedInterval, "expectedInterval");
        Objects.requireNonNull(now, "now");
        if (expectedInterval.isNegative() || expectedInterval.isZero()) {
            throw new IllegalArgumentException("expectedInterval must be positive: " + expectedInterval);
        }
    }
}
