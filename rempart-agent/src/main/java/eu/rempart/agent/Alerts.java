package eu.rempart.agent;

import eu.rempart.agent.store.RunStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Where the agent sends what people must hear about. Implementations must not throw. */
public interface Alerts {
    /** A run failed, or ended with warnings (files that could not be read). */
    void runFailed(String repository, String job, Instant started, Instant finished, String error);

    /** No successful backup reached {@code repository} within {@code expected}. */
    void backupMissing(String repository, Instant lastSuccess, Duration expected, Instant now);

    /** The optional daily summary: every repository's state and the last day's runs. */
    void dailySummary(Instant now, List<AgentStatus.RepositoryState> repositories, List<RunStore.Run> runs);

    Alerts NONE = new Alerts() {
        @Override
        public void runFailed(String repository, String job, Instant started, Instant finished, String error) {
        }

        @Override
        public void backupMissing(String repository, Instant lastSuccess, Duration expected, Instant now) {
        }

        @Override
        public void dailySummary(Instant now, List<AgentStatus.RepositoryState> repositories, List<RunStore.Run> runs) {
        }
    };
}
