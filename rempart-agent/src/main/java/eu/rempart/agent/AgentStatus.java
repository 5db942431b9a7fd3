package eu.rempart.agent;

import eu.rempart.agent.config.AgentConfig;
import eu.rempart.agent.config.AgentConfig.JobConfig;
import eu.rempart.agent.store.RunStore;
import eu.rempart.agent.store.RunStore.Run;
import eu.rempart.agent.store.RunStore.Status;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/** What {@code agent status} shows: per repository the last good backup and recent failures, per job its next run. */
public record AgentStatus(Instant now, List<RepositoryState> repositories, List<JobState> jobs) {

    /**
     * @param lastGoodBackup the newest successful backup or copy into this repository, or null
     * @param lastRuns       the newest run of each kind
     */
    public record RepositoryState(String repository, Instant lastGoodBackup, Duration expectedEvery,
            boolean backupMissing, int failuresLast24h, List<Run> lastRuns) {
    }

    public record JobState(String job, String type, String schedule, Instant lastFired, Instant next) {
    }

    static final List<String> KINDS = List.of("backup", "copy", "forget", "prune", "check", "restore-test");

    public static AgentStatus of(AgentConfig cfg, RunStore store, Instant now, ZoneId zone) throws IOException {
        List<RepositoryState> repos = new ArrayList<>();
        List<Run> day = store.since(now.minus(Duration.ofDays(1)));
        for (String name : cfg.repositories().keySet().stream().sorted().toList()) {
            Instant good = lastGoodBackup(store, name);
            Duration expected = expectedInterval(cfg, name, now, zone);
            boolean missing = expected != null && (good == null || good.plus(expected).isBefore(now));
            int failures = (int) day.stream().filter(r -> r.repository().equals(name)
                    && (r.status() == Status.FAILURE || r.status() == Status.INTERRUPTED)).count();
            List<Run> last = new ArrayList<>();
            for (String k : KINDS) {
                store.history(1, name, k).forEach(last::add);
            }
            repos.add(new RepositoryState(name, good, expected, missing, failures, last));
        }
        List<JobState> jobs = new ArrayList<>();
        for (JobConfig j : cfg.jobs()) {
            Instant fired = store.lastFired(j.name()).orElse(null);
            ZonedDateTime from = (fired != null ? fired : now).atZone(zone);
            Instant next = j.schedule().next(from).map(ZonedDateTime::toInstant).orElse(null);
            jobs.add(new JobState(j.name(), j.type().key, j.schedule().toString(), fired, next));
        }
        return new AgentStatus(now, repos, jobs);
    }

    /** The newest backup or copy that reached the repository (with or without unreadable files). */
    static Instant lastGoodBackup(RunStore store, String repository) throws IOException {
        Instant best = null;
        for (String kind : List.of("backup", "copy")) {
            Instant t = store.last(repository, kind, Status.SUCCESS, Status.WARNING).map(Run::finished).orElse(null);
            if (t != null && (best == null || t.isAfter(best))) {
                best = t;
            }
        }
        return best;
    }

    /**
     * How long a repository may go without a good backup: the configured value, else twice the
     * gap between two runs of the most frequent backup job feeding it, plus an hour. Null if no
     * backup job feeds it.
     */
    static Duration expectedInterval(AgentConfig cfg, String repository, Instant now, ZoneId zone) {
        if (cfg.notifications().missingBackupAfter() != null && feeds(cfg, repository)) {
            return cfg.notifications().missingBackupAfter();
        }
        Duration best = null;
        for (JobConfig j : cfg.jobs()) {
            if (j.type() != AgentConfig.JobType.BACKUP
                    || !(j.repositories().contains(repository) || j.copyTo().contains(repository))) {
                continue;
            }
            ZonedDateTime a = j.schedule().next(now.atZone(zone)).orElse(null);
            ZonedDateTime b = a == null ? null : j.schedule().next(a).orElse(null);
            if (b != null) {
                Duration gap = Duration.between(a, b).multipliedBy(2).plusHours(1);
                if (best == null || gap.compareTo(best) < 0) {
                    best = gap;
                }
            }
        }
        return best;
    }

    private static boolean feeds(AgentConfig cfg, String repository) {
        return cfg.jobs().stream().anyMatch(j -> j.type() == AgentConfig.JobType.BACKUP
                && (j.repositories().contains(repository) || j.copyTo().contains(repository)));
    }
}
