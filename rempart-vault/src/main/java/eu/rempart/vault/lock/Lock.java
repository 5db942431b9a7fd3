package eu.rempart.vault.lock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.FileType;
import eu.rempart.vault.GoTime;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.repository.Repository;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A repository lock file as restic writes and honours them: shared locks coexist, an exclusive
 * lock excludes all others; locks older than 30 minutes, or of a dead process on this host, are
 * stale. A held lock is refreshed every 5 minutes.
 */
public final class Lock implements AutoCloseable {
    static final Duration STALE_AFTER = Duration.ofMinutes(30);
    static final Duration REFRESH_EVERY = Duration.ofMinutes(5);
    /** restic waits this long after writing its lock before looking for competitors. */
    static final Duration WAIT_BEFORE_CHECK = Duration.ofMillis(200);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Repository repo;
    private final boolean exclusive;
    private final Info info;
    private volatile Id fileId;
    private final ScheduledExecutorService refresher;
    private final CompletableFuture<Void> confirmed = new CompletableFuture<>();

    /** A lock file's content. */
    public record Info(Instant time, boolean exclusive, String hostname, String username, long pid, long uid, long gid) {

        byte[] toJson() {
            ObjectNode n = JSON.createObjectNode();
            n.put("time", GoTime.format(time));
            n.put("exclusive", exclusive);
            n.put("hostname", hostname);
            n.put("username", username);
            n.put("pid", pid);
            n.put("uid", uid);
            n.put("gid", gid);
            return (n.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        }

        static Info parse(byte[] json) throws IOException {
            JsonNode n = JSON.readTree(json);
            return new Info(GoTime.parse(n.path("time").asText()), n.path("exclusive").asBoolean(),
                    n.path("hostname").asText(""), n.path("username").asText(""), n.path("pid").asLong(),
                    n.path("uid").asLong(), n.path("gid").asLong());
        }

        /** Stale: too old, or held by a process of this host that no longer runs. */
        public boolean isStale(String thisHost, Instant now) {
            if (time.isBefore(now.minus(STALE_AFTER))) {
                return true;
            }
            if (hostname.equals(thisHost)) {
                return ProcessHandle.of(pid).map(ph -> !ph.isAlive()).orElse(true);
            }
            return false;
        }
    }

    private Lock(Repository repo, boolean exclusive, Info info, Id fileId) {
        this.repo = repo;
        this.exclusive = exclusive;
        this.info = info;
        this.fileId = fileId;
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rempart-lock-refresh");
            t.setDaemon(true);
            return t;
        });
        refresher.schedule(this::confirm, WAIT_BEFORE_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        long every = REFRESH_EVERY.toMillis();
        refresher.scheduleAtFixedRate(this::refreshQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    /** Thrown when another process holds a conflicting lock. */
    public static final class LockedException extends VaultException {
        private final Info holder;

        LockedException(String message, Info holder) {
            super(message);
            this.holder = holder;
        }

        public Info holder() {
            return holder;
        }
    }

    /** Takes a lock as restic does: look for conflicting locks, write ours, wait 200 ms, look again. */
    public static Lock acquire(Repository repo, boolean exclusive, String hostname, String username)
            throws IOException {
        Lock lock = begin(repo, exclusive, hostname, username);
        lock.awaitConfirmed();
        return lock;
    }

    /**
     * Looks for conflicting locks and writes ours, but does not wait: the second look runs 200 ms
     * later on this lock's own thread, and {@link #confirmed()} tells its outcome. Meanwhile the caller
     * may read the repository (a lock-respecting process that would remove data sees our lock file
     * before it does) but must not write to it: see {@link Repository#holdWritesUntil}.
     */
    public static Lock begin(Repository repo, boolean exclusive, String hostname, String username)
            throws IOException {
        checkOthers(repo, exclusive, null, hostname);
        Info info = new Info(Instant.now(), exclusive, hostname, username, ProcessHandle.current().pid(),
                currentId("uid"), currentId("gid"));
        Id id = repo.saveUnpacked(FileType.LOCK, info.toJson());
        return new Lock(repo, exclusive, info, id);
    }

    /** Completes when restic's second look found no conflicting lock; fails with {@link LockedException}. */
    public CompletableFuture<Void> confirmed() {
        return confirmed;
    }

    /** Waits for {@link #confirmed()}; if the lock is refused (or the wait interrupted), releases it and throws. */
    public void awaitConfirmed() throws IOException {
        try {
            Repository.join(confirmed);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void confirm() {
        try {
            checkOthers(repo, exclusive, fileId, info.hostname());
            confirmed.complete(null);
        } catch (IOException | RuntimeException e) {
            removeQuietly(repo, fileId);
            refresher.shutdown();
            confirmed.completeExceptionally(e);
        }
    }

    private static void checkOthers(Repository repo, boolean exclusive, Id own, String hostname) throws IOException {
        Instant now = Instant.now();
        for (Backend.FileInfo f : repo.backend().list(FileType.LOCK)) {
            Id id = Id.parseOrNull(f.name());
            if (id == null) {
                continue;
            }
            if (id.equals(own)) {
                continue;
            }
            Info other;
            try {
                other = Info.parse(repo.loadUnpacked(FileType.LOCK, id));
            } catch (NoSuchFileException gone) {
                continue;
            } catch (VaultException | IOException unreadable) {
                continue; // restic also ignores lock files it cannot read
            }
            if (other.isStale(hostname, now)) {
                continue;
            }
            if (exclusive || other.exclusive()) {
                throw new LockedException("repository is already locked " + (other.exclusive() ? "exclusively " : "")
                        + "by PID " + other.pid() + " on " + other.hostname() + " by " + other.username()
                        + " (since " + GoTime.format(other.time()) + ")", other);
            }
        }
    }

    private static long currentId(String which) {
        try {
            Object v = java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:" + which);
            return ((Number) v).longValue();
        } catch (Exception e) {
            return 0;
        }
    }

    private void refreshQuietly() {
        try {
            Info fresh = new Info(Instant.now(), exclusive, info.hostname(), info.username(), info.pid(), info.uid(),
                    info.gid());
            Id newId = repo.saveUnpacked(FileType.LOCK, fresh.toJson());
            Id old = fileId;
            fileId = newId;
            removeQuietly(repo, old);
        } catch (IOException | RuntimeException e) {
            // The next refresh tries again; a lock is only stale after 30 minutes.
        }
    }

    private static void removeQuietly(Repository repo, Id id) {
        try {
            repo.backend().remove(FileType.LOCK, id.toHex());
        } catch (IOException | RuntimeException ignored) {
            // a lock file left behind becomes stale by itself
        }
    }

    public boolean exclusive() {
        return exclusive;
    }

    /** Removes every stale lock (restic's {@code unlock}); returns how many. */
    public static int removeStale(Repository repo, String hostname) throws IOException {
        int n = 0;
        Instant now = Instant.now();
        for (Backend.FileInfo f : repo.backend().list(FileType.LOCK)) {
            Id id = Id.parseOrNull(f.name());
            if (id == null) {
                continue; // not a lock file
            }
            boolean stale;
            try {
                stale = Info.parse(repo.loadUnpacked(FileType.LOCK, id)).isStale(hostname, now);
            } catch (NoSuchFileException gone) {
                continue;
            } catch (VaultException | com.fasterxml.jackson.core.JsonProcessingException damaged) {
                // no command honours a lock file it cannot read (restic neither): it only stood in
                // the way of this one
                stale = true;
            }
            if (stale) {
                repo.backend().remove(FileType.LOCK, f.name());
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        confirmed.completeExceptionally(new IOException("lock released before it was confirmed"));
        removeQuietly(repo, fileId);
    }
}
