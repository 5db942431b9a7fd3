package eu.rempart.cli.it;

import eu.rempart.cli.CommandRun;
import eu.rempart.vault.testing.TestTrees;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A prune killed with SIGKILL leaves a repository that both checkers accept with its data, the
 * kept snapshot restores, and the next prune completes. The kill lands as the step named appears
 * on the prune's output, so it hits the step being tested, not just any moment.
 */
class KilledPruneIT extends ItBase {
    @Test
    void sigkillDuringRepackAndDuringDeletionThenRerun() throws Exception {
        ok("init");
        // files of two folders end up mixed in the same packs; forgetting the snapshot of both
        // leaves packs half used, which prune with --max-unused 0 repacks
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        for (int i = 0; i < 800; i++) {
            Path d = (i % 2 == 0 ? a : b).resolve("d" + (i % 7));
            Files.createDirectories(d);
            writeKeystream(d.resolve("f" + i), 40_000 + i, i);
        }
        String both = ok("backup", "--json", a.toString(), b.toString()).json().path("snapshot_id").asText();
        String onlyB = backup(b);
        ok("forget", both);
        Path pristine = tmp.resolve("pristine");
        TestTrees.copy(repo, pristine);

        for (String step : new String[] {"repacking", "rebuilding index", "obsolete index files", "old packs"}) {
            deleteTree(repo);
            TestTrees.copy(pristine, repo);
            Path out = tmp.resolve("scratch/prune.out");
            Path err = tmp.resolve("scratch/prune.err");
            Process p = rempart.start(out, err, "prune", "--max-unused", "0");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (p.isAlive() && System.nanoTime() < deadline && !Files.readString(out, StandardCharsets.UTF_8).contains(step)) {
                Thread.onSpinWait();
            }
            boolean killedAlive = p.isAlive();
            p.destroyForcibly(); // SIGKILL: no cleanup at all
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            System.out.printf("prune killed at '%s': %s%n", step, killedAlive ? "yes" : "no, it had finished");
            if (step.equals("repacking")) {
                // the longest step: the kill must land inside it
                assertThat(killedAlive).as("prune still running at '%s'; output: %s", step, Files.readString(out)).isTrue();
                assertThat(p.exitValue()).isEqualTo(128 + 9);
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(output).as("stderr: %s", Files.readString(err)).contains(step);

            // restic 0.14's check refuses any lock, even a stale one: --no-lock
            restic.run("check", "--no-lock", "--read-data").assertOk();
            CommandRun check = ok("check", "--read-data", "--json");
            assertThat(check.json().path("ok").asBoolean()).as(check.toString()).isTrue();
            assertRestoresIdentical(onlyB, b, false);

            // the next prune is not blocked by the dead process's lock and finishes the job
            CommandRun rerun = ok("prune", "--max-unused", "0", "--json");
            assertThat(rerun.json().path("message_type").asText()).isEqualTo("prune_summary");
            CommandRun again = ok("prune", "--dry-run", "--json");
            assertThat(again.json().path("bytes").path("unused").asLong()).as("after %s:\n%s\n%s", step, rerun, again).isZero();
            assertThat(again.json().path("packs").path("unreferenced").asLong()).as("after %s:\n%s\n%s", step, rerun, again).isZero();
            restic.run("unlock").assertOk();
            assertBothChecksPass();
        }
        assertRestoresIdentical(onlyB, b, true);
    }

    @Test
    void pruneIsRefusedWhileABackupHoldsTheRepository() throws Exception {
        ok("init");
        Path a = smallTree("a", 3);
        String first = backup(a);
        ok("forget", first);
        // a backup in progress: restic's own shared lock
        Path big = tmp.resolve("big");
        Files.createDirectories(big);
        writeKeystream(big.resolve("f"), 300L << 20, 9);
        Path out = tmp.resolve("scratch/backup.out");
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/restic", "-r", repo.toString(), "--no-cache", "backup", big.toString())
                .redirectOutput(out.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().put("RESTIC_PASSWORD", PASSWORD);
        Process backup = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (lockFiles().isEmpty() && backup.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(lockFiles()).as("restic's backup lock").isNotEmpty();
            int packs = packs().size();
            CommandRun refused = rempart.run("prune");
            assertThat(refused.code()).as(refused.toString()).isNotZero();
            assertThat(refused.err()).containsIgnoringCase("lock");
            assertThat(packs().size()).isGreaterThanOrEqualTo(packs);
        } finally {
            backup.destroy();
            backup.waitFor(60, TimeUnit.SECONDS);
        }
        restic.run("unlock").assertOk();
        ok("prune");
        assertBothChecksPass();
    }

    static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
