package eu.rempart.sentinel.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.rempart.sentinel.contain.Containment;
import eu.rempart.sentinel.recover.RecoverOptions;
import eu.rempart.sentinel.recover.Recovery;
import eu.rempart.vault.archiver.Archiver;
import eu.rempart.vault.archiver.BackupOptions;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.testing.TreeCompare;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every behaviour of the ransomware simulator and every benign workload of bench/sentinel against
 * the real watcher, the simulator running as separate processes: each attack is detected and its
 * processes suspended, and {@code recover} brings every file of the snapshot taken before it back
 * byte-identical; no benign workload raises an alert.
 */
class WatcherCorpusTest {
    static final Path BENCH = Path.of("..", "bench", "sentinel").toAbsolutePath().normalize();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private final List<Process> processes = new ArrayList<>();
    private Watcher watcher;
    private final List<Watcher.Report> alerts = new CopyOnWriteArrayList<>();

    @AfterEach
    void cleanUp() throws InterruptedException {
        if (watcher != null) {
            watcher.close();
        }
        // SIGKILL ends a suspended process too: never resume one that may still be encrypting
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inplace", "copy-delete", "rename-only", "partial", "intermittent", "sparse", "slow", "multi", "notes"})
    void attackIsDetectedContainedAndRecovered(String behaviour) throws Exception {
        Path dir = populate(60);
        // the vault's last snapshot before the attack, and a copy to compare with
        Path repoDir = tmp.resolve("repo");
        Repository.init(new LocalBackend(repoDir), "pw".toCharArray(), KdfParams.forTests(), null, "test", "host").close();
        try (Repository repo = Repository.open(new LocalBackend(repoDir), "pw".toCharArray())) {
            repo.loadIndex();
            new Archiver(repo, BackupOptions.defaults("host", "user"), null).backup(List.of(dir), null);
        }
        Path before = tmp.resolve("before");
        assertThat(new ProcessBuilder("cp", "-a", dir.toString(), before.toString()).start().waitFor()).isZero();
        Thread.sleep(20); // TIME strictly after the snapshot
        java.time.Instant since = java.time.Instant.now();
        watch(dir, true);
        Path log = tmp.resolve("sim.log");
        List<String> args = new ArrayList<>(List.of("attack", "--dir", dir.toString(), "--behaviour", behaviour,
                "--log", log.toString(), "--seed", "7"));
        Process sim = java("RansomSim.java", args);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (alerts.isEmpty() && sim.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(500); // let the report of a contained process arrive
        assertThat(alerts).as("alert for " + behaviour).isNotEmpty();
        Watcher.Report first = alerts.get(0);
        if (!behaviour.equals("notes")) {
            // every process that altered files is stopped: suspended now, or it would still be altering
            Set<Long> writers = new HashSet<>();
            for (JsonNode n : logLines(log)) {
                writers.add(n.get("pid").asLong());
            }
            Set<Long> contained = new HashSet<>();
            alerts.forEach(a -> a.processes().forEach(p -> contained.add(p.pid())));
            assertThat(contained).as("contained processes").containsAll(writers);
            for (long pid : writers) {
                assertThat(state(pid)).as("process " + pid + " state").isIn("T", "gone");
            }
        }
        int altered = altered(log);
        System.out.printf("sentinel %s: %d files altered, indicators %s%n", behaviour, altered, first.alert().indicators());
        // stopped before the end (how many files is the benchmark's measure, bench/sentinel/run)
        assertThat(altered).as("files altered before containment").isLessThan(60);

        // stop the attack for good, then roll back: every file of the snapshot comes back identical
        cleanUp();
        processes.clear();
        watcher = null;
        try (Repository repo = Repository.open(new LocalBackend(tmp.resolve("repo")), "pw".toCharArray())) {
            repo.loadIndex();
            Recovery.run(repo, new RecoverOptions(since, List.of(dir), "host", tmp.resolve("quarantine"), false));
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().equals(Canaries.NAME)).toList()) {
                Files.delete(p); // placed by the watcher after the backup
            }
        }
        // folder mtimes changed with the quarantine and the canaries removed above
        List<String> diff = TreeCompare.diff(before, dir, false);
        assertThat(diff).as("recovered after " + behaviour).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"zip", "7z", "gzip", "jpeg", "dicom", "office", "database", "update", "backup-tool", "browser-cache"})
    void benignWorkloadRaisesNoAlert(String workload) throws Exception {
        Path dir = populate(60);
        watch(dir, true);
        Process p = java("BenignWorkload.java", List.of("--dir", dir.toString(), "--workload", workload, "--seed", "3"));
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.exitValue()).as(out).isZero();
        Thread.sleep(500); // the last writes are analysed
        assertThat(alerts).as(workload + " raised " + alerts).isEmpty();
    }

    private Path populate(int files) throws Exception {
        Path dir = tmp.resolve("cabinet");
        Process p = java("RansomSim.java", List.of("populate", "--dir", dir.toString(), "--files", Integer.toString(files), "--seed", "11"));
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
        return dir;
    }

    private void watch(Path dir, boolean fanotify) throws IOException {
        watcher = Watcher.start(new Watcher.Settings(List.of(dir), true, Containment.Mode.SUSPEND, fanotify, null),
                new Watcher.Listener() {
                    @Override
                    public void ready(int files, int canaries, boolean attribution, String note) {
                    }

                    @Override
                    public void alert(Watcher.Report report) {
                        alerts.add(report);
                    }

                    @Override
                    public void problem(String message) {
                        System.out.println("sentinel problem: " + message);
                    }
                });
    }

    private Process java(String program, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add(BENCH.resolve(program).toString());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(p);
        return p;
    }

    static List<JsonNode> logLines(Path log) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(log)) {
            return out;
        }
        for (String line : Files.readAllLines(log)) {
            if (!line.isBlank()) {
                try {
                    out.add(JSON.readTree(line));
                } catch (IOException e) {
                    // a line cut by the suspension: the file it names was not finished
                }
            }
        }
        return out;
    }

    /** Distinct files altered (notes not counted), from the simulator's own log. */
    static int altered(Path log) throws IOException {
        Set<String> files = new HashSet<>();
        for (JsonNode n : logLines(log)) {
            if (!"note".equals(n.path("op").asText())) {
                files.add(n.path("path").asText());
            }
        }
        return files.size();
    }

    private static String state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (IOException e) {
            return "gone";
        }
    }
}
