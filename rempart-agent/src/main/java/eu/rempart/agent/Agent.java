package eu.rempart.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.agent.Jobs.Outcome;
import eu.rempart.agent.config.AgentConfig;
import eu.rempart.agent.config.AgentConfig.JobConfig;
import eu.rempart.agent.store.RunStore;
import eu.rempart.agent.store.RunStore.Status;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The long-running agent: fires each job on its cron schedule, records every run with its report,
 * alerts on failures and on backups gone missing.
 * <ul>
 * <li>A schedule missed while the machine was off runs once as soon as the agent starts again
 * (the last firing of each job is stored).</li>
 * <li>Only one run at a time per repository (an in-process lock per repository; restic's lock
 * files keep other processes out), and a job still running when it fires again is not started twice.</li>
 * <li>Runs execute on two worker threads fed by a bounded queue; the scheduler thread only decides.</li>
 * </ul>
 */
public final class Agent implements AutoCloseable {
    /** How often the agent wakes up at least, to look for missing backups. */
    static final Duration TICK = Duration.ofSeconds(20);
    private static final String SUMMARY_JOB = "(daily-summary)";

    private final AgentConfig cfg;
    private final RunStore store;
    private final Alerts alerts;
    private final Clock clock;
    private final Consumer<String> log;
    private final Jobs jobs;
    private final eu.rempart.vault.FailureTexts failures;
    private final ThreadPoolExecutor workers;
    private final Map<String, ReentrantLock> repoLocks = new HashMap<>();
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> lastFired = new HashMap<>();
    private final Object wake = new Object();
    private volatile boolean stopping;
    private volatile Instant startedAt;

    public Agent(AgentConfig cfg, RunStore store, Alerts alerts, Clock clock, Consumer<String> log) {
        this.cfg = cfg;
        this.store = store;
        this.alerts = alerts;
        this.clock = clock;
        this.log = log;
        this.jobs = new Jobs(cfg);
        this.failures = eu.rempart.vault.FailureTexts.of(cfg.language());
        for (String r : cfg.repositories().keySet()) {
            repoLocks.put(r, new ReentrantLock(true));
        }
        this.workers = new ThreadPoolExecutor(2, 2, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(64), r -> {
            Thread t = new Thread(r, "rempart-agent-run");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs until {@link #stop()}; catches up missed schedules first. */
    public void run() throws IOException, InterruptedException {
        Instant now = clock.instant();
        startedAt = now;
        store.markInterrupted(now);
        log.accept("agent started on " + cfg.host() + " with " + cfg.jobs().size() + " jobs");
        for (JobConfig j : cfg.jobs()) {
            Instant last = store.lastFired(j.name()).orElse(null);
            if (last == null) {
                // a new job waits for its first slot
                store.fired(j.name(), now);
                last = now;
            }
            lastFired.put(j.name(), last);
            Instant next = next(j, last);
            if (next != null && !next.isAfter(now)) {
                log.accept("job " + j.name() + ": missed its run of " + next + " (machine off?), running it now");
            }
        }
        if (cfg.notifications().dailySummary() != null) {
            lastFired.put(SUMMARY_JOB, store.lastFired(SUMMARY_JOB).orElse(now));
        }
        while (!stopping) {
            now = clock.instant();
            Instant wakeAt = now.plus(TICK);
            for (JobConfig j : cfg.jobs()) {
                Instant next = next(j, lastFired.get(j.name()));
                if (next == null) {
                    continue;
                }
                if (!next.isAfter(now)) {
                    fire(j, now);
                    next = next(j, now);
                }
                if (next != null && next.isBefore(wakeAt)) {
                    wakeAt = next;
                }
            }
            summaryIfDue(now);
            Instant deadline = checkMissing(now);
            if (deadline != null && deadline.isBefore(wakeAt)) {
                wakeAt = deadline;
            }
            long ms = Math.max(50, Duration.between(clock.instant(), wakeAt).toMillis());
            synchronized (wake) {
                if (!stopping) {
                    wake.wait(ms);
                }
            }
        }
    }

    /** Stops firing; runs under way finish (a backup cut short would be safe, only wasted). */
    public void stop() {
        stopping = true;
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        workers.shutdown();
        workers.awaitTermination(1, TimeUnit.HOURS);
    }

    private Instant next(JobConfig j, Instant after) {
        return j.schedule().next(ZonedDateTime.ofInstant(after, clock.getZone())).map(ZonedDateTime::toInstant).orElse(null);
    }

    private void fire(JobConfig j, Instant now) {
        lastFired.put(j.name(), now);
        try {
            store.fired(j.name(), now);
        } catch (IOException e) {
            log.accept("job " + j.name() + ": cannot record its firing: " + e.getMessage());
        }
        if (!busy.add(j.name())) {
            log.accept("job " + j.name() + ": still running since its last slot, this one is skipped");
            return;
        }
        try {
            workers.execute(() -> {
                try {
                    execute(j);
                } finally {
                    busy.remove(j.name());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            busy.remove(j.name());
            log.accept("job " + j.name() + ": too many runs waiting, this one is skipped");
        }
    }

    /** Runs a job now on this thread (also what {@code agent run --once} would use). */
    void execute(JobConfig j) {
        switch (j.type()) {
            case BACKUP -> {
                String repo = j.repositories().get(0);
                Status s = withRepos(List.of(repo), () -> record(j.name(), "backup", repo, () -> jobs.backup(j)));
                if (s == Status.SUCCESS || s == Status.WARNING) {
                    for (String to : j.copyTo()) {
                        withRepos(List.of(repo, to), () -> record(j.name(), "copy", to, () -> jobs.copy(repo, to)));
                    }
                }
            }
            case FORGET -> {
                for (String repo : j.repositories()) {
                    withRepos(List.of(repo), () -> {
                        Instant start = clock.instant();
                        long id = store.started(j.name(), "forget", repo, start);
                        List<Outcome> os;
                        try {
                            os = jobs.forget(j, repo);
                        } catch (Exception e) {
                            return failed(id, j.name(), "forget", repo, start, e);
                        }
                        finish(id, j.name(), "forget", repo, start, os.get(0));
                        if (os.size() > 1) {
                            // recorded as a run of its own; it ran within the forget's lock
                            long pid = store.started(j.name(), "prune", repo, start);
                            finish(pid, j.name(), "prune", repo, start, os.get(1));
                        }
                        return Status.SUCCESS;
                    });
                }
            }
            case CHECK -> {
                for (String repo : j.repositories()) {
                    withRepos(List.of(repo), () -> record(j.name(), "check", repo, () -> jobs.check(j, repo)));
                }
            }
            case RESTORE_TEST -> {
                for (String repo : j.repositories()) {
                    withRepos(List.of(repo), () -> record(j.name(), "restore-test", repo, () -> jobs.restoreTest(j, repo)));
                }
            }
        }
    }

    private interface Body<T> {
        T call() throws Exception;
    }

    /** Holds the in-process locks of these repositories (in name order: no deadlock) around {@code body}. */
    private Status withRepos(List<String> repos, Body<Status> body) {
        List<ReentrantLock> held = new ArrayList<>();
        try {
            for (String r : new TreeSet<>(repos)) {
                ReentrantLock l = repoLocks.get(r);
                l.lockInterruptibly();
                held.add(l);
            }
            return body.call();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Status.INTERRUPTED;
        } catch (Exception e) {
            log.accept("cannot record a run: " + e.getMessage());
            return Status.FAILURE;
        } finally {
            for (int i = held.size() - 1; i >= 0; i--) {
                held.get(i).unlock();
            }
        }
    }

    /** Records a run: started, then its outcome (a thrown exception is a failure with its message). */
    private Status record(String job, String kind, String repo, Body<Outcome> body) throws IOException {
        Instant start = clock.instant();
        long id = store.started(job, kind, repo, start);
        log.accept(kind + " " + job + " → " + repo + ": started");
        Outcome o;
        try {
            o = body.call();
        } catch (Exception e) {
            return failed(id, job, kind, repo, start, e);
        }
        finish(id, job, kind, repo, start, o);
        return o.status();
    }

    private void finish(long id, String job, String kind, String repo, Instant started, Outcome o) throws IOException {
        Instant end = clock.instant();
        store.finished(id, o.status(), end, o.summary(), o.report().toString());
        log.accept(kind + " " + job + " → " + repo + ": " + o.status().name().toLowerCase() + ": " + o.summary());
        if (o.status() == Status.FAILURE || o.status() == Status.WARNING) {
            alerts.runFailed(repo, kind, started, end, o.summary());
        }
    }

    private Status failed(long id, String job, String kind, String repo, Instant started, Exception e)
            throws IOException {
        String english = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        // what the practice reads is in its language when the failure is a known one; the report
        // keeps the English too, for the IT provider's logs
        String msg = failures.explain(e).orElse(english);
        ObjectNode report = Jobs.JSON.createObjectNode().put("error", msg);
        if (!msg.equals(english)) {
            report.put("detail", english);
        }
        finish(id, job, kind, repo, started, new Outcome(Status.FAILURE, msg, report));
        return Status.FAILURE;
    }

    private void summaryIfDue(Instant now) {
        if (cfg.notifications().dailySummary() == null) {
            return;
        }
        Instant last = lastFired.get(SUMMARY_JOB);
        ZonedDateTime next = cfg.notifications().dailySummary().next(ZonedDateTime.ofInstant(last, clock.getZone())).orElse(null);
        if (next == null || next.toInstant().isAfter(now)) {
            return;
        }
        lastFired.put(SUMMARY_JOB, now);
        try {
            store.fired(SUMMARY_JOB, now);
            AgentStatus st = AgentStatus.of(cfg, store, now, clock.getZone());
            alerts.dailySummary(now, st.repositories(), store.since(now.minus(Duration.ofDays(1))));
        } catch (IOException e) {
            log.accept("daily summary: " + e.getMessage());
        }
    }

    /**
     * Alerts once per lapse when a repository has had no good backup for longer than expected.
     *
     * @return the next moment a repository not yet alerted about would be late, if any
     */
    private Instant checkMissing(Instant now) {
        Instant soonest = null;
        try {
            for (String repo : cfg.repositories().keySet()) {
                Duration expected = AgentStatus.expectedInterval(cfg, repo, now, clock.getZone());
                if (expected == null) {
                    continue;
                }
                Instant good = AgentStatus.lastGoodBackup(store, repo);
                // never backed up: count from the agent's start
                Instant since = good != null ? good : startedAt;
                if (since == null) {
                    continue;
                }
                if (!since.plus(expected).isBefore(now)) {
                    Instant due = since.plus(expected).plusMillis(1);
                    soonest = soonest == null || due.isBefore(soonest) ? due : soonest;
                    continue;
                }
                String key = "missing:" + repo;
                String lapse = String.valueOf(good);
                if (!lapse.equals(store.alert(key).orElse(null))) {
                    store.alert(key, lapse);
                    log.accept("repository " + repo + ": no good backup since " + (good == null ? "ever" : good.toString()));
                    alerts.backupMissing(repo, good, expected, now);
                }
            }
        } catch (IOException e) {
            log.accept("missing-backup check: " + e.getMessage());
        }
        return soonest;
    }

}
