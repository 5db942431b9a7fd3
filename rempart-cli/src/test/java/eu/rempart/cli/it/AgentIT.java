package eu.rempart.cli.it;

import com.fasterxml.jackson.databind.JsonNode;
import eu.rempart.agent.store.RunStore;
import eu.rempart.cli.CommandRun;
import eu.rempart.vault.testing.Restic;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code rempart agent run} as the real long-running process: an every-minute schedule backs up and
 * copies to an append-only off-site server, restic sees the same snapshots in both; a schedule
 * missed while the machine was off runs as soon as the agent starts again.
 */
class AgentIT extends ItBase {
    static final String OFFSITE_PASSWORD = "hors site 7";

    Path config(String jobs, String offsiteUrl) throws Exception {
        Path pw = tmp.resolve("local.pass");
        Files.writeString(pw, PASSWORD + "\n");
        Path opw = tmp.resolve("offsite.pass");
        Files.writeString(opw, OFFSITE_PASSWORD + "\n");
        String yaml = "host: cabinet-test\nstate_dir: " + tmp.resolve("state") + "\nrepositories:\n"
                + "  local: {url: \"" + repo + "\", password_file: local.pass}\n"
                + (offsiteUrl == null ? "" : "  offsite: {url: \"" + offsiteUrl + "\", password_file: offsite.pass}\n")
                + "jobs:\n" + jobs;
        Path f = tmp.resolve("agent.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    /** Polls {@code agent history} until a run of each kind has ended, or the deadline. */
    JsonNode waitForRuns(Path conf, Duration limit, String... kinds) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        JsonNode h = null;
        while (System.nanoTime() < deadline) {
            h = ok("agent", "history", "--config", conf.toString(), "--json").json();
            boolean all = true;
            for (String k : kinds) {
                boolean found = false;
                for (JsonNode r : h) {
                    found |= r.path("kind").asText().equals(k) && !r.path("status").asText().equals("running");
                }
                all &= found;
            }
            if (all) {
                return h;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("no finished " + String.join("/", kinds) + " run in time; history: " + h);
    }

    @Test
    void everyMinuteBackupThenCopyToAnAppendOnlyServer() throws Exception {
        ok("init");
        Path src = smallTree("cabinet", 11);
        Path vaultDir = tmp.resolve("offsite");
        Files.createDirectories(vaultDir);
        try (VaultServer server = VaultServer.start(rempart, tmp.resolve("scratch"), vaultDir, 0, "--no-auth", "--append-only")) {
            String offsite = server.repo(null, null, "cabinet/");
            okAt(offsite, "--password-file=" + Files.writeString(tmp.resolve("o.pass"), OFFSITE_PASSWORD), "init");
            Path conf = config("  - {name: cabinet, type: backup, schedule: \"* * * * *\", repository: local, paths: [\""
                    + src + "\"], copy_to: [offsite]}\n", offsite);

            Path out = tmp.resolve("scratch/agent.out");
            Path err = tmp.resolve("scratch/agent.err");
            Process agent = rempart.start(out, err, "agent", "run", "--config", conf.toString());
            JsonNode history;
            try {
                history = waitForRuns(conf, Duration.ofSeconds(150), "backup", "copy");
            } finally {
                agent.destroy(); // SIGTERM: the service manager's stop
                assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
            for (JsonNode r : history) {
                assertThat(r.path("status").asText()).as(r.toString()).isEqualTo("success");
            }
            String log = Files.readString(out);
            assertThat(log).contains("agent started on cabinet-test", "backup cabinet → local: success",
                    "copy cabinet → offsite: success");
            for (String s : secrets) {
                assertThat(log + Files.readString(err)).doesNotContain(s);
            }

            // restic sees the same snapshots on both sides: same trees, the copies naming their originals
            JsonNode local = RempartProcess.JSON.readTree(restic.run("snapshots", "--json").assertOk().out());
            Restic offsiteRestic = new Restic(offsite, OFFSITE_PASSWORD);
            JsonNode remote = RempartProcess.JSON.readTree(offsiteRestic.run("snapshots", "--json").assertOk().out());
            assertThat(local.size()).isPositive();
            Map<String, String> localTrees = new HashMap<>();
            local.forEach(s -> localTrees.put(s.path("id").asText(), s.path("tree").asText()));
            Map<String, String> remoteTrees = new HashMap<>();
            remote.forEach(s -> remoteTrees.put(s.path("original").asText(), s.path("tree").asText()));
            // a run may have backed up after the last copy finished: every copy has its original
            assertThat(localTrees).containsAllEntriesOf(remoteTrees);
            assertThat(remoteTrees).isNotEmpty();
            offsiteRestic.run("check", "--read-data").assertOk();
            restic.run("check", "--read-data").assertOk();

            JsonNode status = ok("agent", "status", "--config", conf.toString(), "--json").json();
            assertThat(status.path("ok").asBoolean()).as(status.toString()).isTrue();
            for (JsonNode r : status.path("repositories")) {
                assertThat(r.path("last_good_backup").isNull()).as(r.toString()).isFalse();
                assertThat(r.path("backup_missing").asBoolean()).isFalse();
            }
            JsonNode backup = history.findValues("report").stream().filter(r -> r.has("snapshot_id")).findFirst().orElseThrow();
            assertThat(localTrees).containsKey(backup.path("snapshot_id").asText());
        }
    }

    @Test
    void aScheduleMissedWhileTheMachineWasOffRunsAtTheNextStart() throws Exception {
        ok("init");
        Path src = smallTree("cabinet", 12);
        // once a day at 03:00: the test never waits for it
        Path conf = config("  - {name: nightly, type: backup, schedule: \"0 3 * * *\", repository: local, paths: [\""
                + src + "\"]}\n", null);
        // the agent last handled that job three days ago; the machine was then off
        try (RunStore store = RunStore.open(tmp.resolve("state"))) {
            store.fired("nightly", Instant.now().minus(Duration.ofDays(3)));
        }
        Path out = tmp.resolve("scratch/agent.out");
        Process agent = rempart.start(out, tmp.resolve("scratch/agent.err"), "agent", "run", "--config", conf.toString());
        JsonNode history;
        try {
            history = waitForRuns(conf, Duration.ofSeconds(60), "backup");
        } finally {
            agent.destroy();
            agent.waitFor(60, TimeUnit.SECONDS);
        }
        assertThat(history).hasSize(1); // run once, not once per missed night
        assertThat(history.get(0).path("status").asText()).isEqualTo("success");
        assertThat(Files.readString(out)).contains("job nightly: missed its run");
        assertThat(snapshotCount()).isEqualTo(1);
        CommandRun status = rempart.run("agent", "status", "--config", conf.toString(), "--json");
        assertThat(status.code()).as(status.toString()).isZero();
    }

    @Test
    void installWritesASystemdUnitAndAWindowsServiceDefinition() throws Exception {
        Path conf = config("  - {name: nightly, type: backup, schedule: \"0 3 * * *\", repository: local, paths: [\"/tmp\"]}\n", null);
        Path units = tmp.resolve("units");
        JsonNode r = ok("agent", "install", "--config", conf.toString(), "--unit-dir", units.toString(), "--json").json();
        String unit = Files.readString(Path.of(r.path("systemd_unit").asText()));
        assertThat(unit).contains("ExecStart=\"", "\" agent run --config \"" + conf + "\"", "Restart=on-failure",
                "UMask=0077", "ReadWritePaths=\"" + tmp.resolve("state") + "\"", "WantedBy=multi-user.target");
        String win = Files.readString(Path.of(r.path("windows_service").asText()));
        assertThat(Path.of(r.path("windows_service").asText()).getParent()).isEqualTo(tmp);
        assertThat(win).contains("<id>rempart-agent</id>", "<arguments>agent run --config \"" + conf + "\"</arguments>",
                "<startmode>Automatic</startmode>");
        // a broken configuration installs nothing
        Files.writeString(conf, "jobs: [");
        CommandRun bad = rempart.run("agent", "install", "--config", conf.toString(), "--unit-dir", tmp.resolve("u2").toString());
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("not valid YAML");
        assertThat(tmp.resolve("u2")).doesNotExist();
    }
}
