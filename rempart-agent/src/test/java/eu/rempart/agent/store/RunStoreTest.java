package eu.rempart.agent.store;

import eu.rempart.agent.store.RunStore.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** The history file: owner-only, survives a restart, and a run cut short by a crash says so. */
class RunStoreTest {
    @TempDir
    Path tmp;

    @Test
    void runsFiringsAndCrashes() throws Exception {
        Path dir = tmp.resolve("state");
        Instant t0 = Instant.parse("2026-11-20T02:00:00Z");
        long crashed;
        try (RunStore s = RunStore.open(dir)) {
            long id = s.started("cabinet", "backup", "local", t0);
            s.finished(id, Status.SUCCESS, t0.plusSeconds(60), "snapshot 1a2b3c4d", "{\"snapshot_id\":\"1a2b\"}");
            crashed = s.started("cabinet", "backup", "local", t0.plusSeconds(3600));
            s.fired("cabinet", t0.plusSeconds(3600));
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("agent.db")))).isEqualTo("rw-------");
        try (RunStore s = RunStore.open(dir)) {
            // another process (agent status) sees the run as running; the agent's restart ends it
            assertThat(s.history(1, null, null).get(0).status()).isEqualTo(Status.RUNNING);
            s.markInterrupted(t0.plusSeconds(7200));
            var runs = s.history(10, null, null);
            assertThat(runs).extracting(RunStore.Run::status).containsExactly(Status.INTERRUPTED, Status.SUCCESS);
            assertThat(runs.get(0).id()).isEqualTo(crashed);
            assertThat(runs.get(1).report()).contains("1a2b");
            assertThat(s.last("local", "backup", Status.SUCCESS)).map(RunStore.Run::finished).contains(t0.plusSeconds(60));
            assertThat(s.last("local", "copy", Status.SUCCESS)).isEmpty();
            assertThat(s.lastFired("cabinet")).contains(t0.plusSeconds(3600));
            assertThat(s.lastFired("other")).isEmpty();
            s.alert("missing:local", "x");
            assertThat(s.alert("missing:local")).contains("x");
        }
    }

    /** `agent history` started beside a new agent: both create the file at once, and both open it. */
    @Test
    void processesOpeningANewStoreAtOnceAllSucceed() throws Exception {
        int openers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(openers);
        try {
            for (int round = 0; round < 40; round++) {
                Path dir = tmp.resolve("race-" + round);
                CyclicBarrier start = new CyclicBarrier(openers);
                List<Future<Integer>> opened = new ArrayList<>();
                for (int i = 0; i < openers; i++) {
                    opened.add(pool.submit(() -> {
                        start.await();
                        try (RunStore s = RunStore.open(dir)) {
                            return s.history(1, null, null).size();
                        }
                    }));
                }
                for (Future<Integer> f : opened) {
                    assertThat(f.get()).isZero();
                }
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("agent.db"))))
                        .isEqualTo("rw-------");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
