package eu.rempart.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.agent.config.AgentConfig;
import eu.rempart.agent.config.AgentConfig.JobConfig;
import eu.rempart.agent.config.AgentConfig.RepositoryConfig;
import eu.rempart.agent.notify.Texts;
import eu.rempart.agent.store.RunStore.Status;
import eu.rempart.sentinel.backup.BackupInspector;
import eu.rempart.vault.FileType;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.archiver.Archiver;
import eu.rempart.vault.archiver.BackupOptions;
import eu.rempart.vault.archiver.BackupResult;
import eu.rempart.vault.archiver.Excludes;
import eu.rempart.vault.backend.Backends;
import eu.rempart.vault.checker.CheckOptions;
import eu.rempart.vault.checker.CheckResult;
import eu.rempart.vault.checker.Checker;
import eu.rempart.vault.copier.Copier;
import eu.rempart.vault.crypto.PasswordFile;
import eu.rempart.vault.forget.Forget;
import eu.rempart.vault.forget.GroupBy;
import eu.rempart.vault.forget.Group;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.prune.PrunePlan;
import eu.rempart.vault.prune.PruneOptions;
import eu.rempart.vault.prune.PruneProgress;
import eu.rempart.vault.prune.Pruner;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.restoretest.RestoreTest;
import eu.rempart.vault.restoretest.RestoreTestOptions;
import eu.rempart.vault.restoretest.RestoreTestReport;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The work of each job type, on repositories opened per run (a run never sees a stale index). */
final class Jobs {
    static final ObjectMapper JSON = new ObjectMapper();
    /** How long a run waits for a lock another process (a manual restic run, say) holds. */
    static final Duration LOCK_PATIENCE = Duration.ofMinutes(5);

    /** How a run ended, with its one-line summary and full report. */
    record Outcome(Status status, String summary, ObjectNode report) {
    }

    private final AgentConfig cfg;
    /** Run summaries are read by the practice and its IT provider: in the agent's language. */
    private final Texts texts;
    /** A check's findings, in the same language. */
    private final eu.rempart.vault.FailureTexts failures;
    private final String username = System.getProperty("user.name", "");

    Jobs(AgentConfig cfg) {
        this.cfg = cfg;
        this.texts = Texts.of(cfg.language(), java.time.ZoneId.systemDefault());
        this.failures = eu.rempart.vault.FailureTexts.of(cfg.language());
    }

    // ------------------------------------------------------------------ opening and locking

    Repository open(String name) throws IOException {
        return open(name, true);
    }

    /**
     * @param cache whether a remote repository may use the local cache ({@link #check} must not);
     *              the copy of its key file is used either way
     */
    Repository open(String name, boolean cache) throws IOException {
        RepositoryConfig rc = cfg.repositories().get(name);
        char[] pw = password(rc.passwordFile());
        try {
            eu.rempart.vault.backend.Backend b = Backends.open(rc.url(), rc.options(), rc.cacerts());
            return cache ? Repository.open(b, pw, cacheBase()) : Repository.openFromStore(b, pw, cacheBase());
        } finally {
            java.util.Arrays.fill(pw, '\0');
        }
    }

    /**
     * Where remote repositories keep their index, snapshots and trees between runs: the state
     * directory's {@code cache/}, as the command line uses the user's cache directory. Null (no
     * cache, every run downloads them) if it cannot be created.
     */
    private Path cacheBase() {
        try {
            return eu.rempart.vault.cache.CachedBackend.prepare(cfg.stateDir().resolve("cache"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A repository's or the mail server's password file, as restic reads it; never empty. */
    static char[] password(Path file) throws IOException {
        return PasswordFile.readNonEmpty(file);
    }

    Lock lock(Repository repo, boolean exclusive) throws IOException {
        long deadline = System.nanoTime() + LOCK_PATIENCE.toNanos();
        while (true) {
            try {
                return Lock.acquire(repo, exclusive, cfg.host(), username);
            } catch (Lock.LockedException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for a lock", ie);
                }
            }
        }
    }

    // ------------------------------------------------------------------ the jobs

    Outcome backup(JobConfig job) throws IOException {
        // a folder that is gone is skipped and reported (a warning); the others are backed up
        List<Path> paths = job.paths().stream().map(p -> p.toAbsolutePath().normalize()).toList();
        List<String> names = Archiver.existingTargets(paths, Path.of("/")).stream().map(Path::toString).toList();
        try (Repository repo = open(job.repositories().get(0)); Lock lock = lock(repo, false)) {
            repo.loadIndex();
            repo.backend().removeAbandoned(Duration.ofHours(1));
            Snapshots.Listing listing = Snapshots.list(repo);
            Snapshot parent = listing.parentFor(cfg.host(), names);
            BackupOptions o = BackupOptions.defaults(cfg.host(), username).withTags(job.tags())
                    .withExcludes(Excludes.of(job.excludes().exclude(), List.of(), job.excludes().iexclude(), List.of())
                            .withMaxFileSize(job.excludes().excludeLargerThan())
                            .withOneFileSystem(job.excludes().oneFileSystem()));
            BackupInspector inspector = BackupInspector.forParent(parent);
            BackupResult r = new Archiver(repo, o, null).inspectWith(inspector).backup(paths, parent);
            BackupInspector.Verdict verdict = inspector == null ? null : inspector.verdict();
            ObjectNode report = JSON.createObjectNode();
            report.put("snapshot_id", r.snapshot().id().toHex());
            report.set("snapshot", r.snapshot().toJsonNode(true));
            report.put("unreadable", r.unreadable());
            var s = r.summary();
            String summary = texts.get("run.backup", r.snapshot().shortId(), s.filesNew(), s.filesChanged(),
                    s.filesUnmodified(), texts.size(s.dataAddedPacked()));
            report.put("suspect", verdict != null && verdict.suspect());
            if (verdict != null && verdict.suspect()) {
                // saved, but what changed looks like ransomware: a failure, so it is alerted at once
                int found = verdict.counts().values().stream().mapToInt(Integer::intValue).sum();
                return new Outcome(Status.FAILURE, texts.get("run.suspect", found, verdict.inspected(),
                        verdict.examples().get(0).file().toString(), summary), report);
            }
            Outcome done = r.unreadable() == 0 ? new Outcome(Status.SUCCESS, summary, report)
                    : new Outcome(Status.WARNING, texts.get("run.unreadable", summary, r.unreadable(),
                            s.errors().get(0).path(), s.errors().get(0).message()), report);
            return withDamage(done, damagedFiles(repo, listing));
        }
    }

    Outcome copy(String from, String to) throws IOException {
        try (Repository src = open(from); Repository dst = open(to);
                Lock ls = lock(src, false); Lock ld = lock(dst, false)) {
            src.loadIndex();
            dst.loadIndex();
            Snapshots.Listing listing = Snapshots.list(src);
            Copier.Result r = Copier.copy(src, dst, listing.snapshots());
            ObjectNode report = JSON.createObjectNode();
            ArrayNode copied = report.putArray("copied");
            r.copied().forEach(c -> copied.addObject().put("source", c.source().toHex()).put("copy", c.copy().toHex()));
            report.put("already_there", r.skipped().size());
            report.put("blobs", r.blobs());
            report.put("bytes", r.bytes());
            List<String> damaged = new ArrayList<>(damagedFiles(src, listing));
            damaged.addAll(damagedFiles(dst, null));
            return withDamage(new Outcome(Status.SUCCESS, texts.get("run.copy", r.copied().size(), from,
                    r.skipped().size(), texts.size(r.bytes())), report), damaged);
        }
    }

    /** Applies the job's policy; returns the forget outcome and, if the job prunes, the prune's. */
    List<Outcome> forget(JobConfig job, String name) throws IOException {
        List<Outcome> out = new ArrayList<>();
        try (Repository repo = open(name); Lock lock = lock(repo, true)) {
            // a damaged snapshot file counts for no policy and stays (prune then refuses to run)
            Snapshots.Listing listing = Snapshots.list(repo);
            List<Group> groups = Forget.apply(listing.snapshots(), job.keep(), GroupBy.DEFAULT);
            ObjectNode report = JSON.createObjectNode();
            ArrayNode removed = report.putArray("removed");
            ArrayNode kept = report.putArray("kept");
            int n = 0;
            for (Group g : groups) {
                g.keep().forEach(s -> kept.add(s.id().toHex()));
                for (Snapshot s : g.remove()) {
                    repo.backend().remove(FileType.SNAPSHOT, s.id().toHex());
                    removed.add(s.id().toHex());
                    n++;
                }
            }
            out.add(withDamage(new Outcome(Status.SUCCESS, texts.get("run.forget", n, kept.size()), report),
                    damagedFiles(repo, listing)));
            if (job.prune()) {
                PrunePlan plan = Pruner.plan(repo, PruneOptions.DEFAULTS, PruneProgress.NONE);
                Pruner.Result r = Pruner.execute(repo, plan, PruneProgress.NONE);
                ObjectNode pr = JSON.valueToTree(r.stats());
                pr.put("packs_deleted", r.packsDeleted());
                pr.put("packs_written", r.packsWritten());
                out.add(new Outcome(Status.SUCCESS, texts.get("run.prune", r.packsDeleted(), r.packsWritten(),
                        texts.size(r.stats().pruneSize())), pr));
            }
        }
        return out;
    }

    Outcome check(JobConfig job, String name) throws IOException {
        // a shared lock: the weekly check must not make the practice's backups wait or fail
        try (Repository repo = open(name, false); Lock lock = lock(repo, false)) {
            // the checker reads and judges the index files itself, as `rempart check` does
            CheckResult r = new Checker(repo, null).check(new CheckOptions(job.readDataSubset() != null, job.readDataSubset()));
            ObjectNode report = JSON.createObjectNode();
            report.put("ok", r.ok());
            report.put("snapshots", r.snapshots());
            report.put("packs", r.packs());
            report.put("packs_read", r.packsRead());
            ArrayNode errors = report.putArray("errors");
            r.errors().forEach(f -> errors.add(f.toString()));
            ArrayNode hints = report.putArray("hints");
            r.hints().forEach(f -> hints.add(f.toString()));
            if (!r.ok()) {
                return new Outcome(Status.FAILURE, texts.get("run.check.failed", r.errors().size(),
                        failures.finding(r.errors().get(0))), report);
            }
            return new Outcome(Status.SUCCESS, texts.get("run.check.ok", r.snapshots(), r.packs(), r.packsRead()), report);
        }
    }

    /**
     * The damaged index and snapshot files a run worked around, as "index/1a2b3c4d".
     *
     * @param listing the snapshots the run listed, or null if it listed none
     */
    private static List<String> damagedFiles(Repository repo, Snapshots.Listing listing) {
        List<String> damaged = new ArrayList<>();
        repo.indexRecovery().ifPresent(rec -> rec.damagedFiles().forEach(id -> damaged.add("index/" + id.shortHex())));
        if (listing != null) {
            listing.unreadable().forEach(u -> damaged.add("snapshots/" + u.id().shortHex()));
        }
        return damaged;
    }

    /**
     * A successful run on a repository with damaged files, which it worked around, becomes a
     * warning that names them, so that someone runs check and repairs them.
     */
    private Outcome withDamage(Outcome o, List<String> damaged) {
        if (damaged.isEmpty()) {
            return o;
        }
        o.report().put("damaged_files", JSON.valueToTree(damaged));
        Status status = o.status() == Status.SUCCESS ? Status.WARNING : o.status();
        return new Outcome(status, texts.get("run.damaged", o.summary(), String.join(", ", damaged)), o.report());
    }

    /** Restores a random sample of the newest snapshot's files into a scratch folder and compares hashes. */
    Outcome restoreTest(JobConfig job, String name) throws IOException {
        try (Repository repo = open(name); Lock lock = lock(repo, false)) {
            repo.loadIndex();
            List<Snapshot> all = Snapshots.list(repo).snapshots(); // the weekly check names damaged files
            if (all.isEmpty()) {
                throw new VaultException("no snapshot to test in repository " + name);
            }
            Snapshot newest = all.get(all.size() - 1);
            Path scratch = cfg.stateDir().resolve("restore-test-" + name);
            RestoreTestReport r = RestoreTest.run(repo, newest, new RestoreTestOptions(job.files(), 1L << 30, scratch,
                    new java.security.SecureRandom()));
            ObjectNode report = JSON.createObjectNode();
            report.put("snapshot_id", r.snapshot().toHex());
            report.put("snapshot_time", r.snapshotTime().toString());
            report.put("files_in_snapshot", r.filesInSnapshot());
            report.put("files_tested", r.filesTested());
            report.put("bytes_tested", r.bytesTested());
            report.put("files_matching_source", r.filesMatchingSource());
            ArrayNode fs = report.putArray("failures");
            r.failures().forEach(f -> fs.addObject().put("path", f.path()).put("problem", f.problem()));
            report.put("took_seconds", r.took().toMillis() / 1000.0);
            String what = texts.get("run.restoreTest", r.filesTested(), r.filesInSnapshot(), newest.shortId());
            if (!r.ok() && r.failures().isEmpty()) {
                return new Outcome(Status.FAILURE, texts.get("run.restoreTest.none", what), report);
            }
            if (!r.ok()) {
                RestoreTestReport.Failure f = r.failures().get(0);
                return new Outcome(Status.FAILURE, texts.get("run.restoreTest.failed", what, r.failures().size(),
                        f.path(), f.problem()), report);
            }
            return new Outcome(Status.SUCCESS, texts.get("run.restoreTest.ok", what, r.filesMatchingSource()), report);
        }
    }
}
