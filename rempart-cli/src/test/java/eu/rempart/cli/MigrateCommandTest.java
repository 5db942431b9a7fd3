package eu.rempart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import eu.rempart.vault.server.RestServer;
import eu.rempart.vault.testing.Restic;
import eu.rempart.vault.testing.TreeCompare;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code rempart migrate upgrade_repo_v2} on repositories restic 0.14 wrote in format 1 (as restic
 * 0.13 and older did): restic reads the result as format 2 with the same id and polynomial, checks
 * it and restores from it; Rempart compresses from then on. A damaged repository, and a store that
 * cannot delete the config, are left exactly as they were.
 */
class MigrateCommandTest {
    static final String PASSWORD = "migration pässword";

    @TempDir
    Path tmp;
    Path repo;
    Path src;
    Map<String, String> env;
    Restic restic;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Restic.available(), "restic is not installed");
        repo = tmp.resolve("repo");
        src = tmp.resolve("src");
        Files.createDirectories(src);
        Files.writeString(src.resolve("agenda.txt"), "lundi 9h : M. Martin, détartrage\n".repeat(20_000));
        env = CommandRun.env(repo, PASSWORD);
        restic = new Restic(repo, PASSWORD);
        restic.run("init", "--repository-version", "1").assertOk();
        restic.run("backup", src.toString()).assertOk();
    }

    CommandRun rempart(String... args) {
        return CommandRun.inProcess(env, args);
    }

    CommandRun ok(String... args) {
        return rempart(args).assertOk(args);
    }

    JsonNode resticConfig() throws Exception {
        return Cli.JSON.readTree(restic.run("cat", "config").assertOk().out());
    }

    @Test
    void upgradesAFormat1RepositoryThatResticThenReadsAsFormat2() throws Exception {
        JsonNode before = resticConfig();
        assertThat(before.path("version").asInt()).isEqualTo(1);
        assertThat(ok("migrate").out()).contains("upgrade_repo_v2 : s’applique à ce dépôt (format 1)");
        assertThat(ok("--json", "migrate").json().get(0).path("applicable").asBoolean()).isTrue();
        // before: stored uncompressed, whatever is asked for
        Files.writeString(src.resolve("factures.txt"), "facture 2026-11, consultation 30 EUR\n".repeat(30_000));
        JsonNode v1 = ok("--json", "backup", "--compression", "max", src.toString()).json();
        assertThat(v1.path("data_added").asLong()).isGreaterThan(1_000_000);
        assertThat(v1.path("data_added_packed").asLong()).isGreaterThanOrEqualTo(v1.path("data_added").asLong());
        long leftovers = upgradeFolders();

        CommandRun migrated = ok("migrate", "upgrade_repo_v2");
        assertThat(migrated.out()).contains("Dépôt passé au format 2");
        JsonNode after = resticConfig();
        assertThat(after.path("version").asInt()).isEqualTo(2);
        assertThat(after.path("id").asText()).isEqualTo(before.path("id").asText());
        assertThat(after.path("chunker_polynomial").asText()).isEqualTo(before.path("chunker_polynomial").asText());
        assertThat(upgradeFolders()).as("the old config's copy is removed once the new one is saved").isEqualTo(leftovers);

        // now compressed: new data takes a fraction of its size
        Files.writeString(src.resolve("ordonnances.txt"), "amoxicilline 1 g, 3 fois par jour\n".repeat(30_000));
        JsonNode v2 = ok("--json", "backup", src.toString()).json();
        assertThat(v2.path("data_added").asLong()).isGreaterThan(1_000_000);
        assertThat(v2.path("data_added_packed").asLong()).isLessThan(v2.path("data_added").asLong() / 5);

        assertThat(restic.run("check", "--read-data").assertOk().out()).contains("no errors were found");
        JsonNode snapshots = Cli.JSON.readTree(restic.run("snapshots", "--json").assertOk().out());
        assertThat(snapshots).hasSize(3);
        Path first = tmp.resolve("first");
        restic.run("restore", snapshots.get(0).path("id").asText(), "--target", first.toString()).assertOk();
        assertThat(Files.readString(first.resolve(src.toString().substring(1)).resolve("agenda.txt")))
                .isEqualTo(Files.readString(src.resolve("agenda.txt")));
        Path last = tmp.resolve("last");
        restic.run("restore", "latest", "--target", last.toString()).assertOk();
        assertThat(TreeCompare.diff(src, last.resolve(src.toString().substring(1)))).isEmpty();

        assertThat(ok("migrate").out()).contains("Aucune migration à faire : le dépôt est au format 2.");
        CommandRun again = rempart("migrate", "upgrade_repo_v2");
        assertThat(again.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(again.err()).contains("le dépôt est déjà au format 2");
        CommandRun unknown = rempart("--lang", "en", "migrate", "s3_layout");
        assertThat(unknown.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(unknown.err()).contains("unknown migration \"s3_layout\"");
    }

    /** The temporary folders that keep a copy of the old config during an upgrade. */
    static long upgradeFolders() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("rempart-upgrade-repo-v2-")).count();
        }
    }

    @Test
    void aDamagedRepositoryIsNotMigrated() throws Exception {
        try (Stream<Path> s = Files.list(repo.resolve("index"))) {
            for (Path f : s.toList()) {
                Files.delete(f);
            }
        }
        CommandRun refused = rempart("migrate", "upgrade_repo_v2");
        assertThat(refused.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(refused.err()).contains("absent de l’index").contains("réparez-le avant de le migrer (rien n’a été changé)");
        assertThat(resticConfig().path("version").asInt()).isEqualTo(1);
    }

    @Test
    void anAppendOnlyServerRefusesAndTheConfigStaysAsItWas() throws Exception {
        byte[] config = Files.readAllBytes(repo.resolve("config"));
        long leftovers = upgradeFolders();
        try (RestServer server = RestServer.start(new RestServer.Options(tmp, new InetSocketAddress("127.0.0.1", 0),
                true, null, false, null, 0, null))) {
            env.put("REMPART_REPOSITORY", "rest:http://127.0.0.1:" + server.address().getPort() + "/repo/");
            env.put("REMPART_CACHE_DIR", tmp.resolve("cache").toString());
            CommandRun refused = rempart("migrate", "upgrade_repo_v2");
            assertThat(refused.code()).as(refused.toString()).isEqualTo(ExitCodes.ERROR);
            assertThat(refused.err()).contains("403");
        }
        assertThat(upgradeFolders()).as("no copy of the config left behind").isEqualTo(leftovers);
        assertThat(Files.readAllBytes(repo.resolve("config"))).isEqualTo(config);
        env.put("REMPART_REPOSITORY", repo.toString());
        ok("migrate", "upgrade_repo_v2");
        assertThat(resticConfig().path("version").asInt()).isEqualTo(2);
    }
}
