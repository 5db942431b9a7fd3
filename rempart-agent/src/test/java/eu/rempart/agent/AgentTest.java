package eu.rempart.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import eu.rempart.agent.config.AgentConfig;
import eu.rempart.agent.store.RunStore;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.testing.Restic;
import eu.rempart.vault.testing.TestTrees;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The agent's jobs on real repositories, with alerts received by a real SMTP server (GreenMail)
 * and a real HTTP endpoint, both on 127.0.0.1.
 */
class AgentTest {
    static final String PASSWORD = "agent pässword";
    static final String MAIL_PASSWORD = "mail-s3cret";
    static final String TOKEN = "Bearer hook-t0ken";

    @RegisterExtension
    static GreenMailExtension mail = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("agent@cabinet.test", "agent", MAIL_PASSWORD));

    @TempDir
    Path tmp;
    HttpServer hook;
    final List<JsonNode> received = Collections.synchronizedList(new ArrayList<>());
    final List<String> auth = Collections.synchronizedList(new ArrayList<>());
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    Path src;
    Path repo;

    @BeforeEach
    void setUp() throws Exception {
        hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", ex -> {
            received.add(new ObjectMapper().readTree(ex.getRequestBody()));
            auth.add(ex.getRequestHeaders().getFirst("Authorization"));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        hook.start();
        src = tmp.resolve("cabinet");
        TestTrees.build(src, 3, 60, 2, 1 << 20);
        repo = tmp.resolve("repo");
        Repository.init(new LocalBackend(repo), PASSWORD.toCharArray(), KdfParams.forTests(), null, "t", "h").close();
        Files.writeString(tmp.resolve("vault.pass"), PASSWORD + "\n");
        Files.writeString(tmp.resolve("mail.pass"), MAIL_PASSWORD + "\n");
    }

    @AfterEach
    void tearDown() {
        hook.stop(0);
    }

    AgentConfig config(String jobs, String notifications) throws Exception {
        Path f = tmp.resolve("agent.yaml");
        Files.writeString(f, "host: PC-ACCUEIL\nstate_dir: state\nrepositories:\n"
                + "  local: {url: \"" + repo + "\", password_file: vault.pass}\n"
                + "jobs:\n" + jobs
                + "notifications:\n" + notifications
                + "  email: {host: 127.0.0.1, port: " + mail.getSmtp().getPort() + ", security: none, username: agent,"
                + " password_file: mail.pass, from: agent@cabinet.test, to: [it@prestataire.test]}\n"
                + "  webhook: {url: \"http://127.0.0.1:" + hook.getAddress().getPort() + "/hook\","
                + " headers: {Authorization: \"" + TOKEN + "\"}}\n");
        return AgentConfig.load(f, "unused");
    }

    static AgentConfig.JobConfig job(AgentConfig cfg, String name) {
        return cfg.jobs().stream().filter(j -> j.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void everyJobRecordsItsRunAndABrokenRestoreTestAlerts() throws Exception {
        assumeTrue(Restic.available(), "restic binary not installed");
        AgentConfig cfg = config("""
                  - {name: cabinet, type: backup, schedule: "@hourly", repository: local, paths: [cabinet]}
                  - {name: retention, type: forget, schedule: "@daily", repositories: [local], prune: true, keep: {last: 1}}
                  - {name: weekly-check, type: check, schedule: "@weekly", repositories: [local], read_data_subset: 100%}
                  - {name: restore-test, type: restore-test, schedule: "@weekly", repositories: [local], files: 1000}
                """, "");
        try (RunStore store = RunStore.open(cfg.stateDir())) {
            Agent agent = new Agent(cfg, store, NotifyingAlerts.of(cfg, log::add), Clock.systemDefaultZone(), log::add);
            agent.execute(job(cfg, "cabinet"));
            Files.writeString(src.resolve("nouveau.txt"), "ordonnance");
            agent.execute(job(cfg, "cabinet"));
            agent.execute(job(cfg, "retention"));
            agent.execute(job(cfg, "weekly-check"));
            agent.execute(job(cfg, "restore-test"));
            List<RunStore.Run> runs = store.history(20, null, null);
            assertThat(runs).extracting(RunStore.Run::kind)
                    .containsExactly("restore-test", "check", "prune", "forget", "backup", "backup");
            assertThat(runs).allSatisfy(r -> assertThat(r.status()).as(r.toString()).isEqualTo(RunStore.Status.SUCCESS));
            // summaries in the agent's language (French by default)
            assertThat(runs.get(3).summary()).isEqualTo("1 instantané(s) supprimé(s), 1 gardé(s)");
            assertThat(runs.get(5).summary()).matches("instantané [0-9a-f]{8} : fichiers \\d+ nouveaux, 0 modifiés,"
                    + " 0 inchangés ; \\d+,\\d Mio ajoutés au dépôt");
            assertThat(runs.get(1).summary()).isEqualTo("aucune erreur : 1 instantané(s), "
                    + new ObjectMapper().readTree(runs.get(1).report()).path("packs").asLong() + " paquet(s), "
                    + new ObjectMapper().readTree(runs.get(1).report()).path("packs_read").asLong() + " relu(s)");
            assertThat(runs.get(0).report()).contains("\"files_matching_source\"");
            assertThat(received).isEmpty();
            new Restic(repo, PASSWORD).run("check", "--read-data").assertOk();

            // a data pack gets damaged: the next restore test finds it, records it and alerts
            // inside the largest data chunk (a flipped byte in a tree would be found too, but named differently)
            eu.rempart.vault.pack.PackedBlob chunk;
            try (Repository r = Repository.open(new LocalBackend(repo), PASSWORD.toCharArray())) {
                r.loadIndex();
                chunk = r.index().all().stream().filter(x -> x.type() == eu.rempart.vault.BlobType.DATA)
                        .max(java.util.Comparator.comparingInt(eu.rempart.vault.pack.PackedBlob::length)).orElseThrow();
            }
            String hex = chunk.packId().toHex();
            Path pack = repo.resolve("data").resolve(hex.substring(0, 2)).resolve(hex);
            byte[] b = Files.readAllBytes(pack);
            for (int i = 0; i < 32; i++) {
                b[(int) chunk.offset() + chunk.length() / 2 + i] ^= 0x33;
            }
            pack.toFile().setWritable(true);
            Files.write(pack, b);
            agent.execute(job(cfg, "restore-test"));
            RunStore.Run failed = store.history(1, "local", "restore-test").get(0);
            assertThat(failed.status()).isEqualTo(RunStore.Status.FAILURE);
            assertThat(failed.summary()).contains("cannot be restored").contains("damaged pack");
            assertThat(failed.report()).contains("\"failures\":[{");
        }
        assertThat(received).hasSize(1);
        JsonNode alert = received.get(0);
        assertThat(alert.path("event").asText()).isEqualTo("run_failed");
        assertThat(alert.path("job").asText()).isEqualTo("restore-test");
        assertThat(alert.path("repository").asText()).isEqualTo("local");
        assertThat(alert.path("host").asText()).isEqualTo("PC-ACCUEIL");
        assertThat(alert.path("error").asText()).contains("damaged pack");
        assertThat(alert.path("subject").asText()).isEqualTo("[Rempart] Échec du test de restauration de « local » sur PC-ACCUEIL");
        assertThat(auth).containsExactly(TOKEN);

        MimeMessage[] mails = mail.getReceivedMessages();
        assertThat(mails).hasSize(1);
        assertThat(mails[0].getSubject()).isEqualTo("[Rempart] Échec du test de restauration de « local » sur PC-ACCUEIL");
        assertThat(mails[0].getAllRecipients()[0].toString()).isEqualTo("it@prestataire.test");
        String body = (String) mails[0].getContent();
        assertThat(body).contains("Le test de restauration du dépôt « local » a échoué sur l’ordinateur PC-ACCUEIL",
                "damaged pack");
        assertThat(String.join("\n", log)).doesNotContain(MAIL_PASSWORD, PASSWORD, TOKEN);
    }

    /** A backup job leaves out what its exclude, iexclude and exclude_larger_than name. */
    @Test
    void aBackupJobLeavesOutWhatItsSettingsExclude() throws Exception {
        assumeTrue(Restic.available(), "restic binary not installed");
        Files.writeString(src.resolve("garder.txt"), "à garder");
        Files.writeString(src.resolve("brouillon.Tmp"), "brouillon");
        Files.writeString(src.resolve("notes.bak"), "vieilles notes");
        Files.write(src.resolve("disque.vhdx"), new byte[3 << 20]);
        AgentConfig cfg = config("""
                  - {name: cabinet, type: backup, schedule: "@hourly", repository: local, paths: [cabinet],
                     exclude: ["*.bak"], iexclude: ["*.TMP"], exclude_larger_than: 2M, one_file_system: true}
                """, "");
        try (RunStore store = RunStore.open(cfg.stateDir())) {
            Agent agent = new Agent(cfg, store, NotifyingAlerts.of(cfg, log::add), Clock.systemDefaultZone(), log::add);
            agent.execute(job(cfg, "cabinet"));
            assertThat(store.history(1, "local", "backup").get(0).status()).isEqualTo(RunStore.Status.SUCCESS);
        }
        // (the tree also holds names that are not UTF-8, which restic's ls would print as such)
        String found = new Restic(repo, PASSWORD).run("find", "garder.txt", "brouillon.Tmp", "notes.bak", "disque.vhdx")
                .assertOk().out();
        assertThat(found).contains(src.resolve("garder.txt").toString())
                .doesNotContain("brouillon.Tmp", "notes.bak", "disque.vhdx");
    }

    /** A folder of the job that is gone (renamed, a drive not mounted) costs the others nothing, and alerts. */
    @Test
    void aMissingFolderIsSkippedAndAlertedWhileTheOthersAreBackedUp() throws Exception {
        assumeTrue(Restic.available(), "restic binary not installed");
        AgentConfig cfg = config("""
                  - {name: cabinet, type: backup, schedule: "@hourly", repository: local, paths: [radios, cabinet]}
                """, "");
        try (RunStore store = RunStore.open(cfg.stateDir())) {
            Agent agent = new Agent(cfg, store, NotifyingAlerts.of(cfg, log::add), Clock.systemDefaultZone(), log::add);
            agent.execute(job(cfg, "cabinet"));
            RunStore.Run run = store.history(1, "local", "backup").get(0);
            assertThat(run.status()).isEqualTo(RunStore.Status.WARNING);
            assertThat(run.summary()).endsWith(" ; 1 élément(s) illisible(s), par ex. " + tmp.resolve("radios")
                    + " (backup target does not exist, skipped)");
        }
        JsonNode snap = new ObjectMapper().readTree(new Restic(repo, PASSWORD).run("snapshots", "--json").assertOk().out());
        assertThat(snap).hasSize(1);
        assertThat(snap.get(0).path("paths")).extracting(JsonNode::asText).containsExactly(src.toString());
        assertThat(received).singleElement().satisfies(a -> assertThat(a.path("error").asText())
                .contains(tmp.resolve("radios").toString()));
    }

    @Test
    void aDamagedSnapshotFileDoesNotStopTheBackupsAndIsAlerted() throws Exception {
        assumeTrue(Restic.available(), "restic binary not installed");
        AgentConfig cfg = config("""
                  - {name: cabinet, type: backup, schedule: "@hourly", repository: local, paths: [cabinet]}
                  - {name: weekly-check, type: check, schedule: "@weekly", repositories: [local]}
                """, "");
        try (RunStore store = RunStore.open(cfg.stateDir())) {
            Agent agent = new Agent(cfg, store, NotifyingAlerts.of(cfg, log::add), Clock.systemDefaultZone(), log::add);
            agent.execute(job(cfg, "cabinet"));
            assertThat(store.history(1, "local", "backup").get(0).status()).isEqualTo(RunStore.Status.SUCCESS);
            Path snapshot;
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(repo.resolve("snapshots"))) {
                snapshot = files.findFirst().orElseThrow();
            }
            snapshot.toFile().setWritable(true);
            eu.rempart.vault.testing.PackFiles.flip(snapshot, 30, 1);
            String damaged = "snapshots/" + snapshot.getFileName().toString().substring(0, 8);

            agent.execute(job(cfg, "cabinet"));
            RunStore.Run run = store.history(1, "local", "backup").get(0);
            assertThat(run.status()).isEqualTo(RunStore.Status.WARNING);
            assertThat(run.summary()).startsWith("instantané ").endsWith(" ; fichiers endommagés dans le dépôt, contournés : "
                    + damaged + ". Lancez « rempart check » : « rempart repair index » répare un fichier d’index,"
                    + " « rempart forget ID » retire un instantané illisible");

            // the weekly check names it, in French too
            agent.execute(job(cfg, "weekly-check"));
            RunStore.Run check = store.history(1, "local", "check").get(0);
            assertThat(check.status()).isEqualTo(RunStore.Status.FAILURE);
            assertThat(check.summary()).isEqualTo("1 erreur(s), par ex. instantané " + snapshot.getFileName()
                    + " : fichier endommagé, illisible ; les autres instantanés n’en dépendent pas (« rempart forget "
                    + snapshot.getFileName() + " » le retire)");
        }
        // the new snapshot is whole: restic lists it (and warns about the damaged one)
        Restic.Result listed = new Restic(repo, PASSWORD).run("snapshots", "--json");
        assertThat(new ObjectMapper().readTree(listed.out())).hasSize(1);
        assertThat(received).hasSize(2).first().satisfies(a -> assertThat(a.path("error").asText()).contains(
                "snapshots/"));
    }

    @Test
    void aFailureIsSaidInTheAgentsLanguageWithTheEnglishKeptForTheLogs() throws Exception {
        AgentConfig cfg = config("""
                  - {name: cabinet, type: backup, schedule: "@hourly", repository: local, paths: [cabinet]}
                """, "");
        Files.writeString(tmp.resolve("vault.pass"), "not the password\n"); // changed on the server, not here
        try (RunStore store = RunStore.open(cfg.stateDir())) {
            Agent agent = new Agent(cfg, store, NotifyingAlerts.of(cfg, log::add), Clock.systemDefaultZone(), log::add);
            agent.execute(job(cfg, "cabinet"));
            RunStore.Run run = store.history(1, "local", "backup").get(0);
            assertThat(run.status()).isEqualTo(RunStore.Status.FAILURE);
            assertThat(run.summary()).isEqualTo("mot de passe incorrect : aucune clé du dépôt ne s’ouvre avec lui");
            JsonNode report = new ObjectMapper().readTree(run.report());
            assertThat(report.path("error").asText()).isEqualTo(run.summary());
            assertThat(report.path("detail").asText()).startsWith("wrong password");

            // emptied by mistake
            Files.writeString(tmp.resolve("vault.pass"), "\n");
            agent.execute(job(cfg, "cabinet"));
            RunStore.Run empty = store.history(1, "local", "backup").get(0);
            assertThat(empty.status()).isEqualTo(RunStore.Status.FAILURE);
            assertThat(empty.summary()).isEqualTo("le fichier de mot de passe " + tmp.resolve("vault.pass")
                    + " est vide : un mot de passe vide est refusé");
        }
        assertThat(received).first().satisfies(a -> assertThat(a.path("error").asText())
                .isEqualTo("mot de passe incorrect : aucune clé du dépôt ne s’ouvre avec lui"));
    }

    @Test
    void aBackupGoneMissingIsReportedOnceByMailAndWebhook() throws Exception {
        // the folder to back up is gone (unplugged disk): every run fails, and the backup goes missing
        AgentConfig cfg = config("""
                  - {name: cabinet, type: backup, schedule: "* * * * *", repository: local, paths: [absent]}
                """, "  missing_backup_after: 2s\n");
        try (RunStore store = RunStore.open(cfg.stateDir())) {
            Agent agent = new Agent(cfg, store, NotifyingAlerts.of(cfg, log::add), Clock.systemDefaultZone(), log::add);
            Thread t = new Thread(() -> {
                try {
                    agent.run();
                } catch (Exception e) {
                    log.add("agent died: " + e);
                }
            });
            t.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.stream().noneMatch(n -> n.path("event").asText().equals("backup_missing"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Thread.sleep(1500); // long enough for a second alert, which must not come
            agent.close();
            t.join(10_000);
        }
        List<JsonNode> missing = received.stream().filter(n -> n.path("event").asText().equals("backup_missing")).toList();
        assertThat(missing).as("alerts %s, log %s", received, log).hasSize(1);
        assertThat(missing.get(0).path("repository").asText()).isEqualTo("local");
        assertThat(missing.get(0).path("last_success").isNull()).isTrue();
        assertThat(missing.get(0).path("expected_interval_seconds").asInt()).isEqualTo(2);
        assertThat(missing.get(0).path("text").asText()).contains("Aucune sauvegarde du dépôt « local » n’a encore réussi sur l’ordinateur PC-ACCUEIL");
        assertThat(mail.getReceivedMessages()).extracting(m -> m.getSubject())
                .contains("[Rempart] Aucune sauvegarde réussie de « local » sur PC-ACCUEIL");
    }

    @Test
    void aWrongMailPasswordIsLoggedWithoutThePassword() throws Exception {
        Files.writeString(tmp.resolve("mail.pass"), "wrong-mail-password\n");
        AgentConfig cfg = config("  - {name: c, type: check, schedule: \"@daily\", repositories: [local]}\n", "");
        NotifyingAlerts.of(cfg, log::add).runFailed("local", "check", java.time.Instant.now(), java.time.Instant.now(), "x");
        assertThat(log).hasSize(1);
        assertThat(log.get(0)).contains("alert not delivered: e-mail through 127.0.0.1", "refused the login").doesNotContain("wrong-mail-password");
        assertThat(received).hasSize(1); // the webhook still got it
    }

    @Test
    void theDailySummaryListsRepositoriesAndRuns() throws Exception {
        AgentConfig cfg = config("  - {name: cabinet, type: backup, schedule: \"@hourly\", repository: local, paths: [cabinet]}\n",
                "  daily_summary: \"0 8 * * *\"\n");
        try (RunStore store = RunStore.open(cfg.stateDir())) {
            new Agent(cfg, store, Alerts.NONE, Clock.systemDefaultZone(), log::add).execute(job(cfg, "cabinet"));
            java.time.Instant now = java.time.Instant.now();
            AgentStatus st = AgentStatus.of(cfg, store, now, java.time.ZoneId.systemDefault());
            NotifyingAlerts.of(cfg, log::add).dailySummary(now, st.repositories(), store.since(now.minus(Duration.ofDays(1))));
        }
        assertThat(received).hasSize(1);
        JsonNode n = received.get(0);
        assertThat(n.path("event").asText()).isEqualTo("daily_summary");
        assertThat(n.path("repositories").get(0).path("repository").asText()).isEqualTo("local");
        assertThat(n.path("repositories").get(0).path("last_good_backup").isNull()).isFalse();
        assertThat(n.path("runs").get(0).path("ok").asBoolean()).isTrue();
        assertThat(n.path("text").asText()).contains("« local » : dernière sauvegarde réussie le", "aucun échec en 24 heures");
        assertThat(mail.getReceivedMessages()[0].getSubject()).startsWith("[Rempart] Résumé quotidien de PC-ACCUEIL");
    }
}
