package eu.rempart.vault.lock;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.repository.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LockTest {
    @TempDir
    Path dir;

    private Repository init() throws Exception {
        return Repository.init(new LocalBackend(dir), "pw".toCharArray(), KdfParams.forTests(), null, "test", "host");
    }

    /** What another process on another machine writes when it takes a lock. */
    private static Id otherLock(Repository repo, boolean exclusive) throws Exception {
        Lock.Info info = new Lock.Info(Instant.now(), exclusive, "other-host", "other", 4242, 1000, 1000);
        return repo.saveUnpacked(FileType.LOCK, info.toJson());
    }

    private long files(String sub) throws Exception {
        try (Stream<Path> s = Files.walk(dir.resolve(sub))) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void anExclusiveLockOfAnotherHostRefusesASharedOneAndLeavesNoLockBehind() throws Exception {
        try (Repository repo = init()) {
            otherLock(repo, true);
            assertThatThrownBy(() -> Lock.acquire(repo, false, "host", "me"))
                    .isInstanceOf(Lock.LockedException.class).hasMessageContaining("exclusively by PID 4242");
            assertThat(files("locks")).isEqualTo(1);
        }
    }

    @Test
    void aLockRefusedAtTheSecondLookStoresNothingThatWasHeldBack() throws Exception {
        try (Repository repo = init()) {
            Lock lock = Lock.begin(repo, false, "host", "me");
            repo.holdWritesUntil(lock.confirmed());
            // A prune elsewhere writes its exclusive lock while ours waits for its second look.
            otherLock(repo, true);
            byte[] data = "a chunk".getBytes(StandardCharsets.UTF_8);
            repo.saveBlob(BlobType.DATA, Id.hash(data), data);
            assertThatThrownBy(repo::flush).isInstanceOf(Lock.LockedException.class);
            assertThatThrownBy(() -> repo.saveUnpacked(FileType.SNAPSHOT, "{}".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(Lock.LockedException.class);
            assertThatThrownBy(lock::awaitConfirmed).isInstanceOf(Lock.LockedException.class);
            lock.close();
            assertThat(files("snapshots")).isZero();
            assertThat(files("index")).isZero();
            assertThat(files("data")).as("no pack, not even a temporary file").isZero();
            // Only the other process's lock is left: ours was removed when it was refused.
            assertThat(files("locks")).isEqualTo(1);
        }
    }

    @Test
    void anUncontestedLockIsConfirmedAfterResticsWaitAndWritesGoThrough() throws Exception {
        try (Repository repo = init()) {
            long start = System.nanoTime();
            Lock lock = Lock.begin(repo, false, "host", "me");
            repo.holdWritesUntil(lock.confirmed());
            repo.saveUnpacked(FileType.SNAPSHOT, "{}".getBytes(StandardCharsets.UTF_8));
            assertThat(lock.confirmed()).isCompleted();
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
            assertThat(files("snapshots")).isEqualTo(1);
            // A second shared lock coexists with it.
            try (Lock other = Lock.acquire(repo, false, "host", "me")) {
                assertThat(files("locks")).isEqualTo(2);
            }
            lock.close();
            assertThat(files("locks")).isZero();
            assertThat(lock.confirmed()).as("closing leaves a confirmed lock confirmed").isCompletedWithValue(null);
        }
    }

    @Test
    void aDamagedLockFileBlocksNothingAndUnlockRemovesIt() throws Exception {
        try (Repository repo = init()) {
            Id live = otherLock(repo, false);
            Path damaged = dir.resolve("locks").resolve("ab".repeat(32));
            Files.write(damaged, "half-written garbage".getBytes(StandardCharsets.UTF_8));
            try (Lock l = Lock.acquire(repo, false, "host", "me")) {
                assertThat(l.exclusive()).isFalse();
            }
            assertThat(Lock.removeStale(repo, "host")).isEqualTo(1);
            assertThat(damaged).doesNotExist();
            assertThat(dir.resolve("locks").resolve(live.toHex())).exists(); // another host's live lock stays
        }
    }
}
