package eu.rempart.cli.it;

import eu.rempart.cli.CommandRun;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A backup killed with SIGKILL midway leaves a consistent repository, and the rerun completes. */
class KilledBackupIT extends ItBase {
    @Test
    void sigkillMidwayThenRerun() throws Exception {
        ok("init");
        Path small = smallTree("small", 2);
        String first = backup(small);

        // 5 x 80 MiB of incompressible data: several seconds of backup, many packs
        Path big = tmp.resolve("big");
        Files.createDirectories(big.resolve("sub"));
        for (int i = 0; i < 5; i++) {
            writeKeystream(big.resolve(i % 2 == 0 ? "f" + i + ".bin" : "sub/f" + i + ".bin"), (80L << 20) + i * 4099L, 100 + i);
        }
        Set<String> packsBefore = new HashSet<>(packs());
        Path out = tmp.resolve("scratch/killed.out");
        Path err = tmp.resolve("scratch/killed.err");
        Process p = rempart.start(out, err, "backup", big.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        boolean packWritten = false;
        while (p.isAlive() && System.nanoTime() < deadline) {
            if (packs().stream().anyMatch(id -> !packsBefore.contains(id))) {
                packWritten = true;
                break;
            }
            Thread.sleep(20);
        }
        assertThat(packWritten).as("a new pack appeared while the backup was running; stderr: %s",
                Files.readString(err)).isTrue();
        p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no cleanup
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(128 + 9);

        // killed before the end: no new snapshot, a lock left behind by a process that is gone
        assertThat(snapshotCount()).isEqualTo(1);
        List<String> staleLocks = lockFiles();
        assertThat(staleLocks).hasSize(1);

        // the data written so far (packs not yet in any index) does not break either checker;
        // restic 0.14's check refuses any lock, even a stale one, so it runs --no-lock here
        restic.run("check", "--no-lock", "--read-data").assertOk();
        CommandRun check = ok("check", "--read-data", "--json");
        assertThat(check.json().path("ok").asBoolean()).isTrue();

        // the rerun is not blocked by the stale lock and completes
        CommandRun rerun = ok("backup", "--json", big.toString());
        String second = rerun.json().path("snapshot_id").asText();
        assertThat(rerun.json().path("errors").size()).isZero();
        assertThat(snapshotCount()).isEqualTo(2);

        // restic also sees the lock as stale (same host, dead PID) and removes it; then a locking check
        restic.run("unlock").assertOk();
        assertThat(lockFiles()).isEmpty();
        assertBothChecksPass();
        assertRestoresIdentical(second, big, false);
        assertRestoresIdentical(first, small, true);
    }
}
