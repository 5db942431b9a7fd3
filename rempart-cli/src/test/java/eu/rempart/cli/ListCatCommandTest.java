package eu.rempart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import eu.rempart.vault.Id;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.testing.Restic;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code list} and {@code cat} say what restic's say about the same repository. */
class ListCatCommandTest {
    static final String PASSWORD = "liste pässword";

    @TempDir
    Path tmp;
    Path repo;
    Path src;
    Map<String, String> env;
    Restic restic;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Restic.available(), "restic is not installed");
        repo = tmp.resolve("repo");
        src = tmp.resolve("src");
        Files.createDirectories(src.resolve("radios"));
        Files.writeString(src.resolve("agenda.txt"), "lundi 9h\n");
        Files.write(src.resolve("radios/pano.dcm"), new byte[300_000]);
        env = CommandRun.env(repo, PASSWORD);
        restic = new Restic(repo, PASSWORD);
        ok("init");
        ok("backup", src.toString());
    }

    CommandRun rempart(String... args) {
        return CommandRun.inProcess(StandardCharsets.ISO_8859_1, env, args);
    }

    CommandRun ok(String... args) {
        return rempart(args).assertOk(args);
    }

    static List<String> sortedLines(String s) {
        return Arrays.stream(s.split("\n")).filter(l -> !l.isBlank()).sorted().toList();
    }

    String resticOut(String... args) throws Exception {
        return restic.run(args).assertOk().out();
    }

    JsonNode json(String s) throws IOException {
        return Cli.JSON.readTree(s);
    }

    /** Every field restic printed has the same value in Rempart's output. */
    static void assertContains(JsonNode mine, JsonNode restics) {
        assertThat(restics.size()).isPositive();
        restics.fieldNames().forEachRemaining(f -> assertThat(mine.get(f)).as(f).isEqualTo(restics.get(f)));
    }

    @Test
    void listGivesWhatResticLists() throws Exception {
        for (String type : List.of("snapshots", "index", "packs", "keys", "blobs")) {
            List<String> mine = sortedLines(ok("list", type).out());
            assertThat(mine).as(type).isNotEmpty().isEqualTo(sortedLines(resticOut("list", type)));
        }
        JsonNode blobs = ok("--json", "list", "blobs").json();
        assertThat(blobs).allSatisfy(b -> assertThat(b.path("type").asText()).isIn("data", "tree"));
        assertThat(ok("list", "locks").out()).isEmpty();
        CommandRun bad = rempart("list", "trees");
        assertThat(bad.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(bad.err()).contains("type inconnu « trees »");
    }

    @Test
    void catGivesWhatResticPrints() throws Exception {
        assertThat(json(ok("cat", "config").out())).isEqualTo(json(resticOut("cat", "config")));
        String snapshot = sortedLines(resticOut("list", "snapshots")).get(0);
        // restic 0.14 decodes the snapshot into what it knows and prints that; the file holds more
        // (program_version, summary), which Rempart prints as stored
        JsonNode stored = json(ok("cat", "snapshot", snapshot.substring(0, 8)).out());
        assertThat(stored.has("summary")).isTrue();
        assertContains(stored, json(resticOut("cat", "snapshot", snapshot)));
        assertThat(json(ok("cat", "snapshot", "latest").out())).isEqualTo(stored);
        String index = sortedLines(resticOut("list", "index")).get(0);
        assertThat(json(ok("cat", "index", index).out())).isEqualTo(json(resticOut("cat", "index", index)));
        String key = sortedLines(resticOut("list", "keys")).get(0);
        assertThat(json(ok("cat", "key", key.substring(0, 10)).out())).isEqualTo(json(resticOut("cat", "key", key)));

        // a pack is its bytes, named by their hash
        String pack = sortedLines(resticOut("list", "packs")).get(0);
        byte[] packBytes = ok("cat", "pack", pack).out().getBytes(StandardCharsets.ISO_8859_1);
        assertThat(Id.hash(packBytes).toHex()).isEqualTo(pack);

        // a blob is its plaintext: the small file's only chunk, and the root tree
        JsonNode sn = json(ok("cat", "snapshot", "latest").out());
        JsonNode root = json(ok("cat", "blob", sn.path("tree").asText()).out());
        assertThat(json(ok("cat", "tree", "latest").out())).isEqualTo(root);
        JsonNode folder = json(ok("cat", "tree", "latest:" + src).out());
        String agendaBlob = null;
        for (JsonNode n : folder.path("nodes")) {
            if (n.path("name").asText().equals("agenda.txt")) {
                agendaBlob = n.path("content").get(0).asText();
            }
        }
        assertThat(agendaBlob).isNotNull();
        assertThat(ok("cat", "blob", agendaBlob).out()).isEqualTo("lundi 9h\n");
        assertThat(ok("cat", "blob", agendaBlob).out().getBytes(StandardCharsets.ISO_8859_1))
                .isEqualTo(resticOut("cat", "blob", agendaBlob).getBytes(StandardCharsets.UTF_8));
        assertThat(rempart("cat", "tree", "latest:/nowhere").err()).contains("aucun dossier /nowhere");

        // a lock, while it is held
        try (Repository r = Repository.open(new LocalBackend(repo), PASSWORD.toCharArray());
                Lock lock = Lock.acquire(r, false, "poste-accueil", "secretariat")) {
            List<String> locks = sortedLines(ok("list", "locks").out());
            assertThat(locks).hasSize(1);
            JsonNode l = json(ok("cat", "lock", locks.get(0)).out());
            assertThat(l.path("hostname").asText()).isEqualTo("poste-accueil");
            assertContains(l, json(resticOut("cat", "lock", locks.get(0))));
        }
    }

    @Test
    void theMasterKeyIsNeverPrintedAndBadIdsAreSaidSo() throws Exception {
        String masterKey = resticOut("cat", "masterkey");
        String secret = json(masterKey).path("encrypt").asText();
        assertThat(secret).isNotEmpty();
        CommandRun refused = rempart("cat", "masterkey");
        assertThat(refused.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(refused.err()).contains("la clé maîtresse n’est jamais affichée");
        assertThat(refused.out() + refused.err()).doesNotContain(secret);

        assertThat(rempart("cat", "index").err()).contains("identifiant manquant : rempart cat index ID");
        assertThat(rempart("cat", "index", "zz").err()).contains("aucun index dont l’identifiant commence par « zz »");
        CommandRun none = rempart("cat", "blob", "0".repeat(64));
        assertThat(none.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(none.err()).contains("aucun blob dont l’identifiant commence par");
        CommandRun empty = rempart("cat", "pack", "");
        assertThat(empty.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(rempart("--lang", "en", "cat", "nonsense", "1").err()).contains("unknown type \"nonsense\"");
    }
}
