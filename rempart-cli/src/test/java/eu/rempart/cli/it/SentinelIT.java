package eu.rempart.cli.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.rempart.vault.testing.TreeCompare;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole Sentinel story with the real command: a practice folder backed up, {@code sentinel watch}
 * running, the ransomware simulator attacks; the watcher suspends it, writes the event and runs
 * --on-alert; {@code recover --since} brings every file of the snapshot back byte-identical, the
 * encrypted files and notes in quarantine.
 */
class SentinelIT extends ItBase {
    static final Path BENCH = Path.of("..", "bench", "sentinel").toAbsolutePath().normalize();
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void attackIsStoppedThenRecovered() throws Exception {
        ok("init");
        Path data = tmp.resolve("cabinet");
        sim("populate", "--dir", data.toString(), "--files", "80", "--seed", "5").waitFor(120, TimeUnit.SECONDS);
        String snapshot = backup(data);
        Path before = tmp.resolve("before");
        // cp -a keeps the times TreeCompare checks
        assertThat(new ProcessBuilder("cp", "-a", data.toString(), before.toString()).inheritIO().start().waitFor()).isZero();

        Path out = tmp.resolve("scratch/watch.out");
        Path err = tmp.resolve("scratch/watch.err");
        Path events = tmp.resolve("events.jsonl");
        Path onAlert = tmp.resolve("on-alert.json");
        // the watcher runs in a network namespace of its own, so that --isolate cuts that one only
        String ns = "rempart-it-" + Long.toHexString(System.nanoTime());
        assertThat(new ProcessBuilder("ip", "netns", "add", ns).inheritIO().start().waitFor()).isZero();
        Process watch = rempart.wrappedIn(List.of("ip", "netns", "exec", ns)).start(out, err, "sentinel", "watch",
                data.toString(), "--json", "--events", events.toString(), "--on-alert", "cat > '" + onAlert + "'",
                "--state", tmp.resolve("state/baseline.bin").toString(), "--isolate", "--allow", "127.0.0.2:8443");
        Process attack = null;
        try {
            JsonNode ready = waitForLine(out, "ready", 60);
            assertThat(ready.path("files").asInt()).isGreaterThanOrEqualTo(80);
            assertThat(ready.path("canaries").asInt()).isGreaterThan(0);
            Instant since = Instant.now();
            Path log = tmp.resolve("sim.log");
            attack = sim("attack", "--dir", data.toString(), "--behaviour", "inplace", "--note", "--log", log.toString());
            JsonNode alert = waitForLine(out, "alert", 60);
            assertThat(alert.path("processes")).isNotEmpty();
            assertThat(alert.path("processes").get(0).path("pid").asLong()).isEqualTo(attack.pid());
            assertThat(alert.path("processes").get(0).path("action").asText()).isEqualTo("suspended");
            assertThat(alert.path("processes").get(0).path("command_line").asText()).contains("RansomSim");
            Thread.sleep(300);
            assertThat(state(attack.pid())).isEqualTo("T");
            JsonNode logged = JSON.readTree(Files.readAllLines(events).get(0));
            assertThat(logged.path("time").asText()).isEqualTo(alert.path("time").asText());
            assertThat(logged.path("actions").toString()).contains("suspended:" + attack.pid(), "on_alert:exit 0");
            assertThat(JSON.readTree(onAlert.toFile()).path("score").asDouble()).isGreaterThanOrEqualTo(1.0);
            assertThat(logged.path("actions").toString()).contains("isolated");
            Process nft = new ProcessBuilder("ip", "netns", "exec", ns, "nft", "list", "table", "inet", "rempart_isolation")
                    .redirectErrorStream(true).start();
            String table = new String(nft.getInputStream().readAllBytes());
            assertThat(nft.waitFor()).as(table).isZero();
            assertThat(table).contains("127.0.0.2", "8443", "drop");

            attack.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            watch.destroy();
            assertThat(watch.waitFor(30, TimeUnit.SECONDS)).isTrue();

            Path quarantine = tmp.resolve("quarantine");
            // exit 3: the notes and the canaries the attack touched have no earlier version (quarantined)
            var run = rempart.run("recover", "--since", since.toString(), "--quarantine", quarantine.toString(), "--json");
            assertThat(run.code()).as(run.toString()).isEqualTo(3);
            JsonNode report = run.json();
            assertThat(report.path("snapshot_id").asText()).startsWith(snapshot.substring(0, 8));
            assertThat(report.path("restored_count").asInt()).isGreaterThan(0);
            for (JsonNode n : report.path("not_restorable")) {
                assertThat(n.toString()).containsAnyOf("Rempart-temoin", "HOW_TO_RECOVER_FILES");
            }
            // canaries were placed after the backup: untouched ones stay, touched ones are quarantined
            try (Stream<Path> s = Files.walk(data)) {
                for (Path p : s.filter(p -> p.getFileName().toString().startsWith("Rempart-temoin")).toList()) {
                    Files.delete(p);
                }
            }
            // folder mtimes changed with the quarantine and the canaries removed above
            List<String> diff = TreeCompare.diff(before, data, false);
            assertThat(diff).as("recovered tree").isEmpty();
            try (Stream<Path> s = Files.walk(quarantine)) {
                assertThat(s.filter(p -> p.getFileName().toString().equals("HOW_TO_RECOVER_FILES.txt")).count())
                        .as("notes in quarantine").isGreaterThan(0);
            }
        } finally {
            if (attack != null) {
                attack.destroyForcibly();
            }
            watch.destroyForcibly();
            new ProcessBuilder("ip", "netns", "del", ns).inheritIO().start().waitFor();
        }
    }

    private Process sim(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add(BENCH.resolve("RansomSim.java").toString());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("scratch/sim-" + args[0] + ".out").toFile()).start();
    }

    private static JsonNode waitForLine(Path out, String type, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.exists(out)) {
                for (String line : Files.readAllLines(out)) {
                    if (line.startsWith("{")) {
                        JsonNode n = JSON.readTree(line);
                        if (type.equals(n.path("type").asText())) {
                            return n;
                        }
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + type + " line in " + (Files.exists(out) ? Files.readString(out) : "(no output)"));
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
