package eu.rempart.vault.retention;

import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.backend.ObjectLock;
import eu.rempart.vault.backend.ObjectLock.Mode;
import eu.rempart.vault.backend.ObjectLock.Retained;
import eu.rempart.vault.repository.Repository;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps the Object Lock protection of a repository from lapsing: every file the repository still
 * needs (config, keys, snapshots, indexes and the packs they reference) is protected until at
 * least {@code now + period - period/4}; a file protected for less, or not at all, is extended to
 * {@code now + period}. Run more often than every quarter period (the agent runs it daily), the
 * protected window never drops below three quarters of the period. Files the repository no longer
 * references are left to expire, so a prune can reclaim them afterwards.
 */
public final class RetentionKeeper {
    /**
     * @param period  how long from now the needed files must stay protected
     * @param mode    for files without protection yet (a protected file keeps its own mode)
     * @param dryRun  only report what would be extended
     */
    public record Options(Duration period, Mode mode, boolean dryRun, int threads) {
        public Options {
            if (period == null || period.isNegative() || period.isZero() || mode == null || threads < 1) {
                throw new IllegalArgumentException("retention needs a positive period, a mode and threads");
            }
        }
    }

    /**
     * @param protectedUntil the earliest end of protection among the needed files after this run
     *                       (null if there were none or only errors)
     */
    public record Result(long files, long extended, long unprotectedBefore, Instant protectedUntil, Instant target,
            List<String> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    private RetentionKeeper() {
    }

    /** The index must be loaded. */
    public static Result keep(Repository repo, ObjectLock lock, Options o) throws IOException {
        Backend backend = repo.backend();
        List<Target> targets = new ArrayList<>();
        targets.add(new Target(FileType.CONFIG, "config"));
        for (FileType t : List.of(FileType.KEY, FileType.SNAPSHOT, FileType.INDEX)) {
            for (Backend.FileInfo f : backend.list(t)) {
                targets.add(new Target(t, f.name()));
            }
        }
        for (Id pack : repo.index().packs()) {
            targets.add(new Target(FileType.PACK, pack.toHex()));
        }
        Instant now = Instant.now();
        Instant target = now.plus(o.period());
        Instant renewBelow = target.minus(o.period().dividedBy(4));
        AtomicLong extended = new AtomicLong();
        AtomicLong unprotected = new AtomicLong();
        AtomicReference<Instant> earliest = new AtomicReference<>();
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(o.threads(), r -> {
            Thread t = new Thread(r, "rempart-retention");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> done = new ArrayList<>();
            for (Target t : targets) {
                done.add(pool.submit(() -> {
                    try {
                        Retained r = lock.retention(t.type(), t.name()).orElse(null);
                        Instant until = r == null ? null : r.until();
                        if (r == null) {
                            unprotected.incrementAndGet();
                        }
                        if (until == null || until.isBefore(renewBelow)) {
                            if (!o.dryRun()) {
                                lock.retain(t.type(), t.name(), r == null ? o.mode() : r.mode(), target);
                                until = target;
                            }
                            extended.incrementAndGet();
                        }
                        if (until != null) {
                            Instant u = until;
                            earliest.accumulateAndGet(u, (a, b) -> a == null || b.isBefore(a) ? b : a);
                        }
                    } catch (IOException | RuntimeException e) {
                        errors.add(t + ": " + e.getMessage());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        Instant until = errors.isEmpty() ? earliest.get() : null;
        return new Result(targets.size(), extended.get(), unprotected.get(), until, target, List.copyOf(errors));
    }

    private record Target(FileType type, String name) {
        @Override
        public String toString() {
            return type == FileType.CONFIG ? "config" : type.dir() + "/" + name;
        }
    }
}
