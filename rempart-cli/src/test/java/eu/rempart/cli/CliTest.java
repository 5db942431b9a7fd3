package eu.rempart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import eu.rempart.vault.testing.PackFiles;
import eu.rempart.vault.testing.Tmpfs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs the command line in-process against real temporary directories. */
class CliTest {
    static final String PASSWORD = "correct horse battery staple";

    @TempDir
    Path tmp;
    Path repo;
    Path src;
    Map<String, String> env;

    @BeforeEach
    void setUp() throws IOException {
        repo = tmp.resolve("repo");
        src = tmp.resolve("src");
        Files.createDirectories(src.resolve("sub"));
        Files.writeString(src.resolve("a.txt"), "hello\n");
        Files.writeString(src.resolve("sub/b.txt"), "b".repeat(5000));
        env = CommandRun.env(repo, PASSWORD);
    }

    CommandRun rempart(String... args) {
        return CommandRun.inProcess(env, args);
    }

    CommandRun ok(String... args) {
        return rempart(args).assertOk(args);
    }

    static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    static long countFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void aRestoreIntoItsOwnResultWritesNothingAgain() throws IOException {
        ok("init");
        ok("backup", src.toString());
        Path out = tmp.resolve("out");
        ok("restore", "latest", "--target", out.toString());
        Path b = out.resolve(src.toString().substring(1)).resolve("sub/b.txt");
        Files.writeString(b, "changed");
        CommandRun again = ok("restore", "latest", "--target", out.toString());
        assertThat(again.out()).contains("Restaurés : 1 fichier, ").contains("Déjà là : 1 fichier (6 o)");
        assertThat(Files.readString(b)).isEqualTo("b".repeat(5000));
        Files.writeString(b, "changed");
        JsonNode never = ok("--json", "restore", "latest", "--target", out.toString(), "--overwrite", "never").json();
        assertThat(never.path("files_restored").asLong()).isZero();
        assertThat(never.path("files_skipped").asLong()).isEqualTo(2);
        assertThat(never.path("bytes_skipped").asLong()).isEqualTo(5006);
        assertThat(Files.readString(b)).isEqualTo("changed");
        CommandRun bad = rempart("restore", "latest", "--target", out.toString(), "--overwrite", "sometimes");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo("rempart: --overwrite sometimes : valeur inconnue (always, if-changed, if-newer ou never)\n");
    }

    @Test
    void aBlobInNoIndexIsExplained() throws IOException {
        ok("init");
        ok("backup", src.toString());
        try (Stream<Path> s = Files.list(repo.resolve("index"))) {
            for (Path p : s.toList()) {
                Files.delete(p); // lost with a share's folder, say: the packs are still there
            }
        }
        CommandRun r = rempart("restore", "latest", "--target", tmp.resolve("out").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).containsPattern("rempart: .*/out: le bloc [0-9a-f]{8} n’est dans aucun index du dépôt et n’a "
                + "pas pu être lu : lancez rempart check, puis rempart repair index\n");
    }

    @Test
    void anAgentConfigurationMistakeIsSaidInTheCommandLinesLanguage() throws IOException {
        Path conf = Files.writeString(tmp.resolve("agent.yaml"), "repositories:\n  local: {url: /srv/vault, password_file: "
                + "agent.yaml}\njobs:\n  - {name: a, type: backup, schedule: \"@daily\", repository: nas, paths: [/x]}\n");
        CommandRun fr = rempart("agent", "status", "--config", conf.toString());
        assertThat(fr.code()).isEqualTo(1);
        assertThat(fr.err()).isEqualTo("rempart: configuration de l’agent incorrecte : " + conf
                + ": job \"a\": le dépôt « nas » n’est pas parmi les dépôts déclarés (local)\n");
        CommandRun en = rempart("--lang", "en", "agent", "status", "--config", conf.toString());
        assertThat(en.err()).endsWith(conf + ": job \"a\": repository \"nas\" is not among repositories (local)\n");
    }

    @Test
    void initBackupSnapshotsLsAndJsonRoundTrip() throws IOException {
        CommandRun init = ok("init");
        assertThat(init.out()).contains("Dépôt").contains(repo.toString());
        assertThat(Files.isRegularFile(repo.resolve("config"))).isTrue();

        CommandRun b1 = ok("backup", "--json", "--tag", "t1", src.toString());
        JsonNode s1 = b1.json();
        assertThat(s1.path("message_type").asText()).isEqualTo("summary");
        assertThat(s1.path("files_new").asLong()).isEqualTo(2);
        assertThat(s1.path("total_bytes_processed").asLong()).isEqualTo(6 + 5000);
        assertThat(s1.path("bytes_read").asLong()).isEqualTo(6 + 5000);
        assertThat(s1.path("errors").isArray()).isTrue();
        assertThat(b1.out()).doesNotContain(PASSWORD);

        Files.writeString(src.resolve("a.txt"), "changed content\n");
        Files.writeString(src.resolve("c.txt"), "new\n");
        CommandRun b2 = ok("backup", "--lang", "en", src.toString());
        assertThat(b2.out()).contains("Files:").contains("1 new, 1 changed, 1 unmodified").contains("Snapshot");
        assertThat(b2.out()).contains("Parent snapshot: " + s1.path("snapshot_id").asText().substring(0, 8));

        CommandRun snaps = ok("snapshots", "--json");
        JsonNode arr = snaps.json();
        assertThat(arr.size()).isEqualTo(2);
        assertThat(arr.get(0).path("id").asText()).isEqualTo(s1.path("snapshot_id").asText());
        assertThat(arr.get(0).path("summary").path("files_new").asLong()).isEqualTo(2);
        assertThat(arr.get(0).path("tags").get(0).asText()).isEqualTo("t1");
        assertThat(arr.get(1).path("parent").asText()).isEqualTo(s1.path("snapshot_id").asText());
        assertThat(snaps.out()).doesNotContain(PASSWORD);

        CommandRun table = ok("snapshots");
        assertThat(table.out()).contains("Hôte").contains("Chemins").contains(src.toString())
                .contains(arr.get(0).path("short_id").asText()).contains("2 instantané(s)");
        assertThat(ok("snapshots", "--tag", "t1", "--json").json().size()).isEqualTo(1);
        assertThat(ok("snapshots", "--host", "no-such-host", "--json").json().size()).isZero();

        CommandRun ls = ok("ls", "latest");
        assertThat(ls.out()).contains(src.resolve("a.txt").toString()).contains(src.resolve("c.txt").toString())
                .contains(src.resolve("sub/b.txt").toString());
        List<JsonNode> nodes = ok("ls", "--json", "latest", src.resolve("sub").toString()).jsonLines();
        assertThat(nodes.get(0).path("struct_type").asText()).isEqualTo("snapshot");
        List<String> paths = nodes.stream().skip(1).map(n -> n.path("path").asText()).toList();
        assertThat(paths).containsExactly(src.resolve("sub").toString(), src.resolve("sub/b.txt").toString());
        JsonNode b = nodes.get(2);
        assertThat(b.path("type").asText()).isEqualTo("file");
        assertThat(b.path("size").asLong()).isEqualTo(5000);
        assertThat(b.path("name").asText()).isEqualTo("b.txt");

        CommandRun diff = ok("diff", arr.get(0).path("short_id").asText(), arr.get(1).path("short_id").asText());
        assertThat(diff.out()).contains("M    " + src.resolve("a.txt")).contains("+    " + src.resolve("c.txt"))
                .doesNotContain("b.txt");
        List<JsonNode> changes = ok("diff", "--json", arr.get(1).path("id").asText(), arr.get(0).path("id").asText()).jsonLines();
        assertThat(changes).anySatisfy(c -> {
            assertThat(c.path("path").asText()).isEqualTo(src.resolve("c.txt").toString());
            assertThat(c.path("modifier").asText()).isEqualTo("-");
        });
    }

    @Test
    void statsRestoreSizeAndRawData() throws IOException {
        ok("init");
        // the same content twice: stored once, restored twice
        Files.writeString(src.resolve("dup.txt"), "b".repeat(5000));
        ok("backup", src.toString());
        JsonNode restore = ok("stats", "--json", "latest").json();
        assertThat(restore.path("total_size").asLong()).isEqualTo(6 + 5000 + 5000);
        // nodes below the snapshot root: the directories leading to src, src, sub and three files
        long dirsAbove = src.getNameCount();
        assertThat(restore.path("total_file_count").asLong()).isEqualTo(dirsAbove + 1 + 3);
        JsonNode raw = ok("stats", "--json", "--mode", "raw-data").json();
        // two data blobs (hello, the 5000 b's once), one tree per directory: the root, those leading to src, sub
        assertThat(raw.path("total_blob_count").asLong()).isEqualTo(2 + 1 + dirsAbove + 1);
        assertThat(raw.path("total_uncompressed_size").asLong()).isGreaterThanOrEqualTo(6 + 5000);
        assertThat(raw.path("total_size").asLong()).isLessThan(raw.path("total_uncompressed_size").asLong());
        assertThat(rempart("stats", "--mode", "bogus").code()).isEqualTo(1);
    }

    @Test
    void keyAddListRemovePasswd() throws IOException {
        ok("init");
        Path np = tmp.resolve("new-password");
        Files.writeString(np, "second password\n");
        ok("key", "add", "--new-password-file", np.toString());
        JsonNode keys = ok("key", "list", "--json").json();
        assertThat(keys.size()).isEqualTo(2);

        // the trailing newline of the file is not part of the password
        env.put("REMPART_PASSWORD", "second password");
        JsonNode asSecond = ok("key", "list", "--json").json();
        String secondId = null;
        String firstId = null;
        for (JsonNode k : asSecond) {
            if (k.path("current").asBoolean()) {
                secondId = k.path("id").asText();
            } else {
                firstId = k.path("id").asText();
            }
        }
        assertThat(secondId).isNotNull();
        CommandRun refused = rempart("key", "remove", secondId.substring(0, 8));
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).isEqualTo("rempart: la clé " + secondId.substring(0, 8)
                + " est celle qui a ouvert le dépôt : pour la retirer, ouvrez-le avec un autre mot de passe\n");
        ok("key", "remove", firstId.substring(0, 8));
        env.put("REMPART_PASSWORD", PASSWORD);
        assertThat(rempart("snapshots").code()).isEqualTo(1);

        env.put("REMPART_PASSWORD", "second password");
        env.put("REMPART_NEW_PASSWORD", "third password");
        ok("key", "passwd");
        assertThat(rempart("snapshots").code()).isEqualTo(1);
        env.put("REMPART_PASSWORD", "third password");
        assertThat(ok("key", "list", "--json").json().size()).isEqualTo(1);
        CommandRun table = ok("key", "list");
        assertThat(table.out()).contains("Utilisateur").contains("*");
        assertThat(table.out() + table.err()).doesNotContain("third password");
    }

    @Test
    void wrongPasswordIsOneClearLineAndWritesNothing() throws IOException {
        ok("init");
        ok("backup", src.toString());
        List<String> before = listing(repo);
        env.put("REMPART_PASSWORD", "not the password");
        for (String[] cmd : List.of(new String[] {"backup", src.toString()}, new String[] {"snapshots"},
                new String[] {"key", "add"}, new String[] {"unlock"}, new String[] {"ls", "latest"})) {
            CommandRun r = rempart(cmd);
            assertThat(r.code()).as(String.join(" ", cmd)).isEqualTo(1);
            assertThat(r.err()).isEqualTo("rempart: mot de passe incorrect : aucune clé du dépôt ne s’ouvre avec lui\n");
            assertThat(r.err() + r.out()).doesNotContain("not the password").doesNotContain("Exception");
        }
        env.put("REMPART_LANG", "en");
        assertThat(rempart("snapshots").err()).isEqualTo("rempart: wrong password: no key of the repository opens with it\n");
        assertThat(listing(repo)).isEqualTo(before);
    }

    @Test
    void aDamagedOrNewerConfigIsExplained() throws IOException {
        ok("init");
        Path config = repo.resolve("config");
        byte[] sealed = Files.readAllBytes(config);
        config.toFile().setWritable(true);
        PackFiles.flip(config, 30, 1);
        CommandRun damaged = rempart("snapshots");
        assertThat(damaged.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(damaged.err()).isEqualTo("rempart: le fichier config du dépôt " + repo + " est endommagé, ou a été"
                + " remplacé : il ne s’ouvre pas avec la clé de ce mot de passe. Remettez-le depuis une copie à l’identique"
                + " du dépôt (disque externe, sauvegarde du serveur) ; sinon, restaurez depuis une autre copie de vos données\n");

        // a format this version does not know (a newer restic's): said so, nothing written
        eu.rempart.vault.crypto.MasterKey key;
        try (Stream<Path> keys = Files.list(repo.resolve("keys"))) {
            key = eu.rempart.vault.crypto.KeyFile.parse(Files.readAllBytes(keys.findFirst().orElseThrow()))
                    .unlock(PASSWORD.toCharArray());
        }
        String plain = new String(key.open(sealed), StandardCharsets.UTF_8).replace("\"version\":2", "\"version\":3");
        assertThat(plain).contains("\"version\":3");
        Files.write(config, key.seal(plain.getBytes(StandardCharsets.UTF_8)));
        List<String> before = listing(repo);
        CommandRun newer = rempart("--lang", "en", "backup", src.toString());
        assertThat(newer.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(newer.err()).isEqualTo("rempart: this repository is in format 3, which this version of Rempart cannot"
                + " read (formats 1 and 2): update Rempart\n");
        assertThat(listing(repo)).isEqualTo(before);
    }

    @Test
    void missingRepositoryAndOtherErrors() throws IOException {
        CommandRun r = rempart("snapshots");
        assertThat(r.code()).isEqualTo(10);
        assertThat(r.err()).isEqualTo("rempart: aucun dépôt dans " + repo + " (créez-le avec « rempart init »)\n");
        assertThat(Files.exists(repo)).isFalse();
        CommandRun en = rempart("--lang", "en", "backup", src.toString());
        assertThat(en.code()).isEqualTo(10);
        assertThat(en.err()).startsWith("rempart: no repository at ");

        env.remove("REMPART_REPOSITORY");
        assertThat(rempart("snapshots").err()).contains("-r/--repo");
        env.put("REMPART_REPOSITORY", repo.toString());

        ok("init");
        CommandRun again = rempart("init");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("existe déjà");
        CommandRun missing = rempart("backup", tmp.resolve("nope").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err().lines()).hasSize(1);
        CommandRun bad = rempart("ls", "deadbeef");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err().lines()).hasSize(1);
        assertThat(bad.err()).doesNotContain("Exception").startsWith("rempart: ");
        CommandRun usage = rempart("frobnicate");
        assertThat(usage.code()).isEqualTo(1);
        assertThat(usage.err()).startsWith("rempart: ");

        env.remove("REMPART_PASSWORD");
        CommandRun nopw = rempart("snapshots");
        assertThat(nopw.code()).isEqualTo(1);
        assertThat(nopw.err()).contains("REMPART_PASSWORD");
        Path pwFile = tmp.resolve("pw");
        Files.writeString(pwFile, PASSWORD + "\n");
        assertThat(ok("--password-file", pwFile.toString(), "snapshots", "--json").json().size()).isZero();
        env.put("REMPART_PASSWORD_FILE", pwFile.toString());
        assertThat(ok("snapshots", "--json").json().size()).isZero();
        Path empty = Files.writeString(tmp.resolve("empty-pw"), "\r\n");
        CommandRun refused = rempart("--password-file", empty.toString(), "snapshots");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).isEqualTo("rempart: le fichier de mot de passe " + empty
                + " est vide : un mot de passe vide est refusé\n");
    }

    @Test
    void unreadableFileGivesExitCode3AndIsReported() throws IOException {
        Path secret = src.resolve("secret.txt");
        Files.writeString(secret, "x");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(secret), "running as root: every file is readable");
        ok("init");
        CommandRun r = rempart("backup", "--json", src.toString());
        assertThat(r.code()).isEqualTo(3);
        JsonNode errs = r.json().path("errors");
        assertThat(errs.size()).isEqualTo(1);
        assertThat(errs.get(0).path("path").asText()).isEqualTo(secret.toString());
    }

    @Test
    void aStoreThatIsGoneIsOneClearLineInTheUsersLanguage() throws IOException {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String loc = "rest:http://127.0.0.1:" + port + "/cabinet/";
        CommandRun r = rempart("-r", loc, "-o", "rest.retries=0", "snapshots");
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).startsWith("rempart: " + loc).endsWith(" : le serveur ne répond pas (dernière erreur : "
                + "ConnectException: Connection refused). Vérifiez qu’il est allumé et joignable depuis ce poste, puis relancez.\n");
    }

    @Test
    void missingTargetIsSkippedAndReportedWhileTheOthersAreBackedUp() throws IOException {
        ok("init");
        Path gone = tmp.resolve("gone");
        CommandRun r = rempart("backup", "--json", gone.toString(), src.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.PARTIAL);
        JsonNode errs = r.json().path("errors");
        assertThat(errs).hasSize(1);
        assertThat(errs.get(0).path("path").asText()).isEqualTo(gone.toString());
        assertThat(errs.get(0).path("message").asText()).isEqualTo("backup target does not exist, skipped");
        // the snapshot lists what it holds, as restic's would; the error stays in its summary
        JsonNode snap = ok("snapshots", "--json").json().get(0);
        assertThat(snap.path("paths")).extracting(JsonNode::asText).containsExactly(src.toString());
        assertThat(snap.path("summary").path("rempart_errors").get(0).path("path").asText()).isEqualTo(gone.toString());
        assertThat(ok("ls", "latest", src.resolve("a.txt").toString()).out()).contains("a.txt");

        CommandRun text = rempart("backup", src.toString(), gone.toString());
        assertThat(text.code()).isEqualTo(ExitCodes.PARTIAL);
        assertThat(text.err()).contains(gone + ": le chemin à sauvegarder n’existe pas ; la sauvegarde s’est faite sans lui");
        assertThat(text.out()).contains("Instantané " + ok("snapshots", "--json").json().get(1).path("short_id").asText());

        CommandRun none = rempart("backup", gone.toString(), tmp.resolve("gone too").toString());
        assertThat(none.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(none.err()).isEqualTo("rempart: aucun des chemins à sauvegarder n’existe : " + gone + ", "
                + tmp.resolve("gone too") + "\n");
        assertThat(ok("snapshots", "--json").json()).hasSize(2);
    }

    @Test
    void restoreAndCheck() throws IOException {
        ok("init");
        ok("backup", "--exclude", "*.tmp", src.toString());
        Files.writeString(src.resolve("later.txt"), "later");
        Path target = tmp.resolve("out");
        CommandRun r = ok("restore", "latest", "--target", target.toString(), "--verify", "--json");
        assertThat(r.json().path("files_restored").asLong()).isEqualTo(2);
        assertThat(r.json().path("files_verified").asLong()).isEqualTo(2);
        Path restored = target.resolve(src.toString().substring(1));
        assertThat(Files.readString(restored.resolve("a.txt"))).isEqualTo("hello\n");
        assertThat(Files.readString(restored.resolve("sub/b.txt"))).isEqualTo("b".repeat(5000));
        assertThat(Files.exists(restored.resolve("later.txt"))).isFalse();
        // the text report: plurals as French has them (0 and 1 singular)
        assertThat(ok("restore", "latest", "--target", tmp.resolve("out2").toString(), "--include", "/**/a.txt", "--verify")
                .out()).contains("Restaurés : 1 fichier, 0 dossier, 0 autre, 6 o en ")
                .contains("Vérifiés : 1 fichier relu et conforme");
        assertThat(ok("--lang", "en", "restore", "latest", "--target", tmp.resolve("out3").toString(), "--verify").out())
                .containsPattern("Restored: 2 files, \\d+ dirs, 0 others, ")
                .contains("Verified: 2 files read back and correct");

        CommandRun c = ok("check", "--read-data");
        assertThat(c.out()).contains("Aucune erreur");
        JsonNode cj = ok("check", "--read-data-subset", "1/2", "--json").json();
        assertThat(cj.path("ok").asBoolean()).isTrue();
        assertThat(rempart("check", "--read-data-subset", "nonsense").code()).isEqualTo(1);

        // damage a pack: check must fail with exit 1
        Path pack;
        try (Stream<Path> s = Files.walk(repo.resolve("data"))) {
            pack = s.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        pack.toFile().setWritable(true);
        byte[] bytes = Files.readAllBytes(pack);
        bytes[0] ^= 1;
        Files.write(pack, bytes);
        CommandRun bad = rempart("check", "--read-data");
        assertThat(bad.code()).isEqualTo(1);
        String id = pack.getFileName().toString();
        assertThat(bad.err()).contains("rempart: paquet " + id + " : le contenu ne correspond pas à son nom (paquet endommagé)");
        assertThat(rempart("--lang", "en", "check", "--read-data").err())
                .contains("rempart: pack " + id + ": content does not match its name (damaged pack)");
        JsonNode badJson = rempart("check", "--read-data", "--json").json();
        assertThat(badJson.path("ok").asBoolean()).isFalse();
        assertThat(badJson.path("errors").toString()).contains("pack " + id + ": content does not match its name");
    }

    /** The data blob of sub/b.txt (5000 bytes, compressed), as the index places it. */
    eu.rempart.vault.pack.PackedBlob blobOfB() throws IOException {
        try (eu.rempart.vault.repository.Repository r = eu.rempart.vault.repository.Repository.open(
                new eu.rempart.vault.backend.local.LocalBackend(repo), PASSWORD.toCharArray())) {
            r.loadIndex();
            return r.index().all().stream().filter(b -> b.type() == eu.rempart.vault.BlobType.DATA
                    && b.uncompressedLength() == 5000).findFirst().orElseThrow();
        }
    }

    /** Damaged data is named, file by file and blob by blob, in the user's language. */
    @Test
    void aDamagedBlobIsNamedInTheUsersLanguage() throws IOException {
        ok("init");
        ok("backup", src.toString());
        eu.rempart.vault.pack.PackedBlob victim = blobOfB();
        PackFiles.flip(PackFiles.writable(repo, victim.packId()), victim.offset() + 20, 1);
        String pack = victim.packId().shortHex();
        String blob = victim.id().shortHex();

        CommandRun restore = rempart("restore", "latest", "--target", tmp.resolve("out").toString());
        assertThat(restore.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(restore.err()).contains("rempart: " + tmp.resolve("out").resolve(src.toString().substring(1))
                .resolve("sub/b.txt") + ": données endommagées dans le dépôt : le bloc data " + blob + " du paquet " + pack
                + " ne s’authentifie pas (lancez rempart check, puis rempart repair packs)\n");
        assertThat(rempart("--lang", "en", "restore", "latest", "--target", tmp.resolve("out-en").toString()).err())
                .contains("sub/b.txt: damaged data in the repository: data blob " + blob + " of pack " + pack
                        + " fails authentication (run rempart check, then rempart repair packs)\n");
        assertThat(rempart("dump", "latest", src.resolve("sub/b.txt").toString()).err()).isEqualTo("rempart: données"
                + " endommagées dans le dépôt : le bloc data " + blob + " du paquet " + pack
                + " ne s’authentifie pas (lancez rempart check, puis rempart repair packs)\n");
        assertThat(rempart("check", "--read-data").err()).contains("rempart: paquet " + victim.packId().toHex()
                + " : le bloc data " + victim.id().toHex() + " ne s’authentifie pas (paquet endommagé)\n");
        assertThat(rempart("--lang", "en", "check", "--read-data", "--json").json().path("errors").toString())
                .contains("pack " + victim.packId().toHex() + ": data blob " + victim.id().toHex()
                        + " failed authentication (damaged pack)");

        // a damaged folder (tree blob): named too, whichever folder it is
        eu.rempart.vault.pack.PackedBlob tree;
        try (eu.rempart.vault.repository.Repository r = eu.rempart.vault.repository.Repository.open(
                new eu.rempart.vault.backend.local.LocalBackend(repo), PASSWORD.toCharArray())) {
            r.loadIndex();
            tree = r.index().all().stream().filter(b -> b.type() == eu.rempart.vault.BlobType.TREE).findFirst().orElseThrow();
        }
        PackFiles.flip(PackFiles.writable(repo, tree.packId()), tree.offset() + 20, 1);
        CommandRun folder = rempart("restore", "latest", "--target", tmp.resolve("out-tree").toString());
        assertThat(folder.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(folder.err()).contains("données endommagées dans le dépôt : le bloc tree " + tree.id().shortHex()
                + " du paquet " + tree.packId().shortHex() + " ne s’authentifie pas (lancez rempart check, puis rempart repair packs)\n");
    }

    @Test
    void aMissingPackIsNamedByRestore() throws IOException {
        ok("init");
        ok("backup", src.toString());
        eu.rempart.vault.pack.PackedBlob b = blobOfB();
        Files.delete(PackFiles.path(repo, b.packId()));
        CommandRun restore = rempart("restore", "latest", "--target", tmp.resolve("out").toString());
        assertThat(restore.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(restore.err()).contains(tmp.resolve("out").resolve(src.toString().substring(1)).resolve("sub/b.txt")
                + ": le paquet " + b.packId().shortHex() + " manque dans le dépôt : ce qu’il contenait n’a pas pu être"
                + " restauré (lancez rempart check ; une sauvegarde avec « rempart backup --force » remet ce qui existe encore)\n");
        assertThat(rempart("--lang", "en", "restore", "latest", "--target", tmp.resolve("out-en").toString()).err())
                .contains("sub/b.txt: pack " + b.packId().shortHex() + " is missing from the repository: what it held"
                        + " could not be restored");
    }

    @Test
    void protectCreatesOwnerOnlyKeyAndRepositoryThenReusesThem() throws IOException {
        Path home = tmp.resolve("home");
        Path docs = home.resolve("Documents");
        Files.createDirectories(docs);
        Files.writeString(docs.resolve("facture.txt"), "Facture 42\n");
        env.clear();
        env.put("REMPART_KDF_TESTING", "1");
        env.put("HOME", home.toString());
        env.put("XDG_DATA_HOME", home.resolve("data").toString());

        CommandRun first = ok("protect");
        Path dataDir = home.resolve("data/rempart");
        Path key = dataDir.resolve("repository.key");
        Path repoDir = dataDir.resolve("repository");
        assertThat(Files.isRegularFile(repoDir.resolve("config"))).isTrue();
        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(dataDir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        String password = Files.readString(key).strip();
        assertThat(java.util.Base64.getUrlDecoder().decode(password)).hasSize(32);
        assertThat(first.out()).contains(key.toString()).contains("clé USB").doesNotContain(password);
        assertThat(first.out()).contains("Fichiers :        1 nouveau, 0 modifié, 0 inchangé");

        Files.writeString(docs.resolve("devis.txt"), "Devis\n");
        CommandRun second = ok("protect", "--json");
        assertThat(second.json().path("files_new").asLong()).isEqualTo(1);
        assertThat(second.json().path("files_unmodified").asLong()).isEqualTo(1);
        assertThat(second.out() + second.err()).doesNotContain("clé USB").doesNotContain(password);
        assertThat(Files.readString(key).strip()).isEqualTo(password);

        // the key file opens the repository like any password file
        env.put("REMPART_REPOSITORY", repoDir.toString());
        env.put("REMPART_PASSWORD_FILE", key.toString());
        JsonNode snaps = ok("snapshots", "--json").json();
        assertThat(snaps.size()).isEqualTo(2);
        assertThat(snaps.get(0).path("paths").get(0).asText()).isEqualTo(docs.toString());

        // a repository whose key file is gone: clear refusal, nothing overwritten
        Files.move(key, tmp.resolve("key-copy"));
        env.remove("REMPART_PASSWORD_FILE");
        CommandRun lost = rempart("protect");
        assertThat(lost.code()).isEqualTo(1);
        assertThat(lost.err()).contains(key.toString());
        assertThat(Files.exists(key)).isFalse();
    }

    @Test
    void versionAndHelp() {
        assertThat(ok("version").out()).startsWith("rempart ");
        // Only the sub-commands a command line names are registered: help must still list them all.
        String help = ok("--help").out();
        for (Class<?> c : Cli.COMMANDS) {
            assertThat(help).contains("  " + c.getAnnotation(picocli.CommandLine.Command.class).name() + " ");
        }
        // An option value that is also a command's name does not take the command's place.
        assertThat(ok("--repo=init", "version").out()).startsWith("rempart ");
        CommandRun unknown = rempart("bogus");
        assertThat(unknown.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(unknown.err()).contains("bogus");
    }

    @Test
    void helpIsFrenchByDefaultAndEnglishOnRequest() {
        assertThat(ok("backup", "--help").out()).startsWith("Utilisation : rempart backup")
                .contains("fichiers et dossiers à sauvegarder", "exclure un motif", "afficher cette aide")
                .doesNotContain("files and directories");
        assertThat(ok("--lang", "en", "backup", "--help").out()).startsWith("Usage: rempart backup")
                .contains("files and directories to back up", "show this help");
        assertThat(ok("--help").out()).contains("Commandes :", "  restore    restaurer un instantané dans un dossier");
        env.put("REMPART_LANG", "en");
        assertThat(ok("key", "remove", "--help").out()).contains("the key file's id or a unique prefix of it");
    }

    /**
     * Every command, option and parameter of every sub-command has a French text of its own, and
     * none breaks picocli's formatting: an unescaped % made it print warnings instead of the help.
     */
    @Test
    void everyHelpTextIsTranslatedAndFormats() {
        picocli.CommandLine english = new picocli.CommandLine(new Cli(System.out, System.err, env, null));
        Main.addSubcommands(english, new String[0]);
        picocli.CommandLine french = new picocli.CommandLine(new Cli(System.out, System.err, env, null));
        Main.addSubcommands(french, new String[0]);
        french.setResourceBundle(Main.frenchHelp());
        // picocli reports a description it cannot format on System.err, then prints it raw.
        PrintStream stderr = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        int texts;
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        try {
            texts = compareHelp(english, french);
        } finally {
            System.setErr(stderr);
        }
        assertThat(warnings.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(texts).isGreaterThan(150);
        assertThat(ok("prune", "--help").out()).contains("inutilisées : N%,", "(par défaut 5%)", "moins de 80% de la");
    }

    /** Compares the texts of a command and its sub-commands; returns how many it compared. */
    private static int compareHelp(picocli.CommandLine en, picocli.CommandLine fr) {
        picocli.CommandLine.Model.CommandSpec e = en.getCommandSpec(), f = fr.getCommandSpec();
        String name = e.qualifiedName();
        assertThat(en.getUsageMessage()).isNotBlank();
        assertThat(fr.getUsageMessage()).isNotBlank();
        assertThat(f.usageMessage().description()).as("description of %s", name)
                .isNotEmpty().isNotEqualTo(e.usageMessage().description());
        List<picocli.CommandLine.Model.ArgSpec> eArgs = e.args(), fArgs = f.args();
        assertThat(fArgs).hasSameSizeAs(eArgs);
        int n = 1;
        for (int i = 0; i < eArgs.size(); i++, n++) {
            assertThat(eArgs.get(i).description()).as("%s %s", name, eArgs.get(i)).isNotEmpty().doesNotContain("");
            assertThat(fArgs.get(i).description()).as("%s %s", name, eArgs.get(i))
                    .isNotEqualTo(eArgs.get(i).description());
        }
        for (String sub : en.getSubcommands().keySet()) {
            n += compareHelp(en.getSubcommands().get(sub), fr.getSubcommands().get(sub));
        }
        return n;
    }

    @Test
    void usageErrorsSayWhatIsWrongAndWhereTheHelpIs() {
        CommandRun typo = rempart("backup", "--exclde", "*.tmp", src.toString());
        assertThat(typo.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(typo.err()).isEqualTo("rempart: argument inconnu : --exclde (aide : rempart backup --help)\n");
        assertThat(rempart("backup").err()).isEqualTo("rempart: il manque PATH (aide : rempart backup --help)\n");
        assertThat(rempart("backup", src.toString(), "-e").err()).startsWith("rempart: il manque la valeur de --exclude");
        assertThat(rempart("restore", "latest").err()).startsWith("rempart: il manque --target");
        assertThat(rempart().err()).isEqualTo("rempart: il manque la commande (aide : rempart --help)\n");
        // --lang applies even though parsing stops before reaching it
        assertThat(rempart("restore", "--bogus", "--lang", "en").err())
                .isEqualTo("rempart: unknown argument: --bogus (help: rempart restore --help)\n");
        CommandRun badValue = rempart("cache", "--max-age", "x");
        assertThat(badValue.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(badValue.err()).isEqualTo("rempart: valeur incorrecte pour --max-age : « x » (aide : rempart cache --help)\n");
        assertThat(rempart("--lang", "en", "forget", "--keep-last", "2x").err())
                .isEqualTo("rempart: invalid value for --keep-last: \"2x\" (help: rempart forget --help)\n");
        assertThat(repo).doesNotExist();
    }

    @Test
    void repairIndexRebuildsALostIndexAndNamesPacksItCannotRead() throws IOException {
        ok("init");
        ok("backup", src.toString());
        for (Path f : listing(repo.resolve("index")).stream().filter(n -> !n.isEmpty()).map(repo.resolve("index")::resolve).toList()) {
            Files.delete(f);
        }
        assertThat(rempart("check").code()).isEqualTo(ExitCodes.ERROR);
        assertThat(ok("repair", "index").out()).containsPattern("Index reconstruit : \\d+ paquets?, \\d+ blocs? ; 1 fichier\\(s\\) d’index écrit\\(s\\), 0 ancien\\(s\\) supprimé\\(s\\)");
        assertThat(ok("check", "--read-data").out()).contains("Aucune erreur");

        // a pack whose header no longer decrypts: left out, named, exit code 3
        Path pack;
        try (Stream<Path> s = Files.walk(repo.resolve("data"))) {
            pack = s.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        pack.toFile().setWritable(true);
        byte[] bytes = Files.readAllBytes(pack);
        bytes[bytes.length - 10] ^= 1;
        Files.write(pack, bytes);
        CommandRun r = rempart("--json", "repair", "index", "--read-all-packs");
        assertThat(r.code()).isEqualTo(ExitCodes.PARTIAL);
        JsonNode j = r.json();
        assertThat(j.path("unreadable_packs")).hasSize(1);
        assertThat(j.path("unreadable_packs").get(0).path("id").asText()).isEqualTo(pack.getFileName().toString());
        assertThat(j.path("packs_read").asInt()).isEqualTo(j.path("packs").asInt() + 1);
        assertThat(j.path("index_files_removed").asInt()).isEqualTo(1);
        CommandRun text = rempart("repair", "index");
        assertThat(text.code()).isEqualTo(ExitCodes.PARTIAL);
        assertThat(text.err()).contains("paquet " + pack.getFileName() + " illisible, laissé hors de l’index");
        assertThat(text.out()).contains("rempart backup --force");
    }

    /** One damaged index or snapshot file: backups and restores go on, each command names it and what mends it. */
    @Test
    void aDamagedIndexOrSnapshotFileIsWorkedAroundAndNamed() throws IOException {
        ok("init");
        ok("backup", src.toString());
        Files.writeString(src.resolve("c.txt"), "c".repeat(3000));
        ok("backup", src.toString());
        List<String> ids = new java.util.ArrayList<>();
        ok("snapshots", "--json").json().forEach(n -> ids.add(n.path("id").asText()));
        String older = ids.get(0);
        String newer = ids.get(1);
        String shortNewer = newer.substring(0, 8);
        Path snapshotFile = repo.resolve("snapshots").resolve(newer);
        snapshotFile.toFile().setWritable(true);
        PackFiles.flip(snapshotFile, 30, 1);

        String warning = "rempart: attention : le fichier de l’instantané " + shortNewer + " est endommagé ; il est ignoré"
                + " (« rempart forget " + shortNewer + " » le retire du dépôt)\n";
        CommandRun listed = ok("snapshots", "--json");
        assertThat(listed.err()).isEqualTo(warning);
        assertThat(listed.json()).hasSize(1);
        assertThat(listed.json().get(0).path("id").asText()).isEqualTo(older);
        CommandRun backup = ok("backup", src.toString());
        assertThat(backup.err()).isEqualTo(warning);
        assertThat(backup.out()).contains(older.substring(0, 8)); // the readable one is the parent
        assertThat(ok("restore", "latest", "--target", tmp.resolve("out").toString()).err()).isEqualTo(warning);
        assertThat(tmp.resolve("out").resolve(src.toString().substring(1)).resolve("c.txt")).hasContent("c".repeat(3000));
        CommandRun named = rempart("restore", shortNewer, "--target", tmp.resolve("out2").toString());
        assertThat(named.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(named.err()).endsWith("rempart: le fichier de l’instantané " + shortNewer + " est endommagé et ne peut être"
                + " lu ; les autres instantanés n’en dépendent pas. « rempart forget " + shortNewer + " » le retire du dépôt\n");
        assertThat(rempart("check").err()).contains("rempart: instantané " + newer + " : fichier endommagé, illisible ;"
                + " les autres instantanés n’en dépendent pas (« rempart forget " + newer + " » le retire)\n");
        CommandRun prune = rempart("prune");
        assertThat(prune.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(prune.err()).contains("rempart: le fichier de l’instantané " + shortNewer + " est endommagé");
        assertThat(rempart("--lang", "en", "forget", "--keep-last", "1", "--dry-run").err())
                .isEqualTo("rempart: warning: the file of snapshot " + shortNewer + " is damaged; it is ignored"
                        + " (\"rempart forget " + shortNewer + "\" removes it from the repository)\n");
        assertThat(ok("forget", shortNewer, "deadbeef").err()).isEqualTo(warning
                + "rempart: « deadbeef » ignoré : aucun instantané ne correspond à « deadbeef » (voir rempart snapshots)\n");
        assertThat(snapshotFile).doesNotExist();
        assertThat(ok("check").err()).isEmpty();

        // a damaged index file: the packs it listed are read from their headers
        Path indexFile;
        try (Stream<Path> s = Files.list(repo.resolve("index"))) {
            indexFile = s.sorted().findFirst().orElseThrow();
        }
        indexFile.toFile().setWritable(true);
        PackFiles.flip(indexFile, 30, 1);
        String shortIndex = indexFile.getFileName().toString().substring(0, 8);
        CommandRun restored = ok("restore", "latest", "--target", tmp.resolve("out3").toString());
        assertThat(restored.err()).startsWith("rempart: attention : le fichier d’index " + shortIndex + " est endommagé ;"
                + " les en-têtes des ").endsWith(" qu’aucun autre index ne décrit ont été lus à sa place."
                + " Lancez « rempart repair index » pour le remplacer\n");
        assertThat(listing(tmp.resolve("out3"))).isEqualTo(listing(tmp.resolve("out")));
        CommandRun checked = rempart("check");
        assertThat(checked.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(checked.err()).isEqualTo("rempart: index " + indexFile.getFileName() + " : fichier endommagé ; les paquets"
                + " qu’aucun autre index ne décrit ont été lus par leurs en-têtes (« rempart repair index » le remplace)\n"
                + "rempart: le dépôt contient 1 erreur(s)\n");
        assertThat(rempart("prune").err()).isEqualTo("rempart: le fichier index/" + shortIndex
                + " du dépôt est endommagé (lancez rempart check, qui dit comment le réparer)\n");
        assertThat(ok("repair", "index").err()).isEqualTo("rempart: fichier d’index endommagé, remplacé : "
                + indexFile.getFileName() + "\n");
        assertThat(ok("check", "--read-data").err()).isEmpty();
    }

    @Test
    void repairPacksSalvagesADamagedPackAndABackupWithForceHealsTheRest() throws IOException {
        ok("init");
        Files.writeString(src.resolve("c.txt"), "c".repeat(3000));
        ok("backup", src.toString());
        Path pack = null;
        long largest = -1;
        try (Stream<Path> s = Files.walk(repo.resolve("data"))) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                if (Files.size(p) > largest) {
                    largest = Files.size(p);
                    pack = p;
                }
            }
        }
        pack.toFile().setWritable(true);
        byte[] bytes = Files.readAllBytes(pack);
        bytes[20] ^= 1; // inside the first blob
        Files.write(pack, bytes);
        String id = pack.getFileName().toString();
        CommandRun bad = rempart("check", "--read-data");
        assertThat(bad.err()).contains("paquet " + id);
        assertThat(bad.out()).contains("rempart repair packs");

        assertThat(rempart("repair", "packs", "abc").err()).contains("identifiant de paquet incorrect « abc »");
        CommandRun repaired = rempart("repair", "packs", id);
        assertThat(repaired.code()).isEqualTo(ExitCodes.PARTIAL);
        assertThat(repaired.out()).containsPattern("paquet " + id + " : \\d+ blocs? récupérés?, 1 perdu ; le paquet est supprimé")
                .contains("rempart backup --force");
        assertThat(pack).doesNotExist();
        ok("backup", "--force", src.toString());
        assertThat(ok("check", "--read-data").out()).contains("Aucune erreur");
        Path target = tmp.resolve("healed");
        ok("restore", "latest", "--target", target.toString(), "--verify");
        assertThat(Files.readString(target.resolve(src.toString().substring(1)).resolve("sub/b.txt"))).isEqualTo("b".repeat(5000));
    }

    @Test
    void repairSnapshotsTakesOutWhatIsLostForGood() throws IOException {
        ok("init");
        ok("backup", src.toString());
        ok("backup", "--force", src.toString());
        Path pack;
        try (Stream<Path> s = Files.walk(repo.resolve("data"))) {
            pack = s.filter(Files::isRegularFile).max(java.util.Comparator.comparingLong(p -> p.toFile().length()))
                    .orElseThrow();
        }
        pack.toFile().setWritable(true);
        byte[] bytes = Files.readAllBytes(pack);
        bytes[20] ^= 1;
        Files.write(pack, bytes);
        assertThat(rempart("repair", "packs", pack.getFileName().toString()).code()).isEqualTo(ExitCodes.PARTIAL);
        assertThat(rempart("prune").code()).isEqualTo(ExitCodes.ERROR); // it cannot tell what the snapshots need

        List<String> snapshotFiles = listing(repo.resolve("snapshots"));
        String dry = ok("repair", "snapshots", "--forget", "--dry-run").out();
        // the largest pack holds the trees: a folder's
        assertThat(dry).containsPattern("instantané [0-9a-f]{8} : (fichier|dossier) " + java.util.regex.Pattern.quote(src.toString())
                + "/\\S+ (retiré|vidé) \\(son contenu est perdu\\)").contains("2 instantané(s) à réparer, 0 intact(s)", "Simulation");
        assertThat(listing(repo.resolve("snapshots"))).isEqualTo(snapshotFiles);

        JsonNode r = ok("--json", "repair", "snapshots", "--forget").json();
        assertThat(r.path("rewritten")).hasSize(2).allSatisfy(s -> {
            assertThat(s.path("changes")).isNotEmpty();
            assertThat(s.path("removed").asBoolean()).isTrue();
            assertThat(s.path("replacement").asText()).hasSize(64);
        });
        JsonNode snapshots = ok("--json", "snapshots").json();
        assertThat(snapshots).hasSize(2).allSatisfy(s -> assertThat(s.path("tags").toString()).contains("repaired"));
        assertThat(ok("check", "--read-data").out()).contains("Aucune erreur");
        ok("prune");
        assertThat(ok("--lang", "en", "repair", "snapshots").out()).contains("0 snapshot(s) to repair, 2 intact");
    }

    /**
     * Through a vault server: repairs work as locally; an append-only server refuses the deletions,
     * so the repair fails with the server's reason and nothing is lost; on the server's own
     * directory it then succeeds.
     */
    @Test
    void repairThroughAVaultServerAndOnItsDirectory() throws Exception {
        env.put("REMPART_CACHE_DIR", tmp.resolve("cache").toString());
        Path served = tmp.resolve("served");
        Path dir = served.resolve("practice");
        String url;
        try (eu.rempart.vault.server.RestServer server = eu.rempart.vault.testing.LoopbackRest.start(served, null)) {
            url = "rest:http://127.0.0.1:" + server.address().getPort() + "/practice/";
            env.put("REMPART_REPOSITORY", url);
            ok("init");
            ok("backup", src.toString());
            try (Stream<Path> s = Files.list(dir.resolve("index"))) {
                s.forEach(f -> f.toFile().delete());
            }
            assertThat(ok("repair", "index").out()).contains("Index reconstruit");
            assertThat(ok("check", "--read-data").out()).contains("Aucune erreur");
        }
        Path pack;
        try (Stream<Path> s = Files.walk(dir.resolve("data"))) {
            pack = s.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        pack.toFile().setWritable(true);
        byte[] bytes = Files.readAllBytes(pack);
        bytes[20] ^= 1;
        Files.write(pack, bytes);
        try (eu.rempart.vault.server.RestServer server = eu.rempart.vault.server.RestServer.start(
                new eu.rempart.vault.server.RestServer.Options(served, new java.net.InetSocketAddress("127.0.0.1", 0),
                        true, null, false, null, 0, null))) {
            env.put("REMPART_REPOSITORY", "rest:http://127.0.0.1:" + server.address().getPort() + "/practice/");
            CommandRun refused = rempart("repair", "packs", pack.getFileName().toString());
            assertThat(refused.code()).isEqualTo(ExitCodes.ERROR);
            assertThat(refused.err()).contains("403");
            assertThat(pack).exists();
        }
        env.put("REMPART_REPOSITORY", dir.toString());
        assertThat(rempart("repair", "packs", pack.getFileName().toString()).code()).isEqualTo(ExitCodes.PARTIAL);
        ok("backup", "--force", src.toString());
        assertThat(ok("check", "--read-data").out()).contains("Aucune erreur");
        assertThat(ok("--json", "snapshots").json()).hasSize(2);
    }

    @Test
    void snapshotsByIdAndTheLatestOfEachGroup() throws IOException {
        ok("init");
        Path other = Files.createDirectories(tmp.resolve("other"));
        ok("backup", src.toString());
        ok("backup", src.toString());
        ok("backup", other.toString());
        ok("backup", "--host", "poste-2", src.toString());
        JsonNode all = ok("--json", "snapshots").json();
        assertThat(all).hasSize(4);
        String first = all.get(0).path("id").asText();
        assertThat(ok("--json", "snapshots", first.substring(0, 8)).json()).singleElement()
                .satisfies(s -> assertThat(s.path("id").asText()).isEqualTo(first));
        assertThat(ok("--json", "snapshots", "latest", first).json()).extracting(s -> s.path("id").asText())
                .containsExactly(first, all.get(3).path("id").asText()); // in time order
        // the newest of each host and set of paths: the second, third and fourth
        assertThat(ok("--json", "snapshots", "--latest", "1").json()).extracting(s -> s.path("id").asText())
                .containsExactly(all.get(1).path("id").asText(), all.get(2).path("id").asText(), all.get(3).path("id").asText());
        assertThat(ok("snapshots", "--latest", "2", "--host", "poste-2").out()).contains("1 instantané(s)");
        assertThat(rempart("snapshots", "--latest", "-1").code()).isEqualTo(ExitCodes.ERROR);

        // in groups, as restic's --group-by prints them
        JsonNode byHost = ok("--json", "snapshots", "--group-by", "host").json();
        assertThat(byHost).hasSize(2);
        for (JsonNode g : byHost) {
            assertThat(g.path("group_key").path("paths").isNull()).isTrue();
            assertThat(g.path("group_key").path("tags").isNull()).isTrue();
            boolean poste2 = g.path("group_key").path("hostname").asText().equals("poste-2");
            assertThat(g.path("snapshots")).hasSize(poste2 ? 1 : 3)
                    .allSatisfy(sn -> assertThat(sn.path("hostname").asText()).isEqualTo(g.path("group_key").path("hostname").asText()));
        }
        String text = ok("snapshots", "-g", "host,paths", "--latest", "1").out();
        assertThat(text).contains("instantanés de (hôte [poste-2], chemins [" + src + "]) :",
                "chemins [" + other + "]) :").doesNotContain("2 instantané(s)");
        assertThat(text.split("1 instantané\\(s\\)", -1)).hasSize(4); // three groups of one
        assertThat(rempart("snapshots", "--group-by", "owner").err()).contains("owner");
    }

    @Test
    void dumpWritesAFileOrAFolderAsAZipArchive() throws IOException {
        ok("init");
        ok("backup", src.toString());
        assertThat(ok("dump", "latest", src.resolve("a.txt").toString()).out()).isEqualTo("hello\n");
        Path zip = tmp.resolve("src.zip");
        ok("dump", "--archive", "zip", "latest", src.toString(), "--target", zip.toString());
        // named by their path in the snapshot, as restic names them; the folder itself has no entry
        String prefix = src.toString().substring(1) + "/";
        java.util.Map<String, String> entries = new java.util.TreeMap<>();
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(Files.newInputStream(zip))) {
            for (java.util.zip.ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                entries.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                if (e.getName().equals(prefix + "a.txt")) {
                    assertThat(e.getLastModifiedTime().toInstant().getEpochSecond()) // zip keeps seconds
                            .isEqualTo(Files.getLastModifiedTime(src.resolve("a.txt")).toInstant().getEpochSecond());
                }
            }
        }
        assertThat(entries).containsOnlyKeys(prefix + "a.txt", prefix + "sub/", prefix + "sub/b.txt")
                .containsEntry(prefix + "a.txt", "hello\n").containsEntry(prefix + "sub/b.txt", "b".repeat(5000));
        CommandRun again = rempart("dump", "latest", src.toString(), "--target", zip.toString());
        assertThat(again.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(again.err()).contains("existe déjà");
        assertThat(rempart("dump", "latest", src.resolve("nope").toString()).err())
                .contains("aucun fichier ni dossier " + src.resolve("nope"));
    }

    @Test
    void filesFromAndExcludeLargerThan() throws IOException {
        ok("init");
        Path big = Files.createDirectories(tmp.resolve("other")).resolve("image.vhdx");
        Files.write(big, new byte[3 << 20]);
        Files.writeString(tmp.resolve("other/small.txt"), "small");
        Path list = tmp.resolve("list.txt");
        Files.writeString(list, "# what to protect\n" + src + "\n\n" + tmp.resolve("other") + "\n");
        JsonNode r = ok("--json", "backup", "--files-from", list.toString(), "--exclude-larger-than", "2M").json();
        assertThat(r.path("files_new").asLong()).isEqualTo(3); // a.txt, b.txt, small.txt
        String listed = ok("ls", "latest").out();
        assertThat(listed).contains(src.resolve("a.txt").toString(), tmp.resolve("other/small.txt").toString())
                .doesNotContain("image.vhdx");
        CommandRun lots = rempart("backup", "--exclude-larger-than", "lots", src.toString());
        assertThat(lots.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(lots.err()).contains("--exclude-larger-than : taille invalide « lots » (exemples : 500G, 2T)");
        assertThat(rempart("--lang", "en", "prune", "--max-repack-size", "-1").err())
                .contains("--max-repack-size: invalid size \"-1\"");
        assertThat(rempart("backup", "--files-from", tmp.resolve("missing.txt").toString()).err())
                .contains("impossible de lire la liste de chemins");
    }

    /** restic's backup --dry-run: the report of what would be added, and nothing written but the lock (gone). */
    @Test
    void dryRunReportsWhatWouldBeAddedAndWritesNothing() throws IOException {
        ok("init");
        ok("backup", src.toString());
        Files.writeString(src.resolve("nouveau.txt"), "x".repeat(100_000));
        Map<String, List<String>> before = repositoryFiles();
        JsonNode dry = ok("--json", "backup", "--dry-run", src.toString()).json();
        assertThat(dry.path("dry_run").asBoolean()).isTrue();
        assertThat(dry.has("snapshot_id")).isFalse();
        assertThat(dry.path("files_new").asLong()).isEqualTo(1);
        assertThat(dry.path("data_added").asLong()).isGreaterThanOrEqualTo(100_000);
        assertThat(repositoryFiles()).isEqualTo(before);
        assertThat(ok("backup", "-n", src.toString()).out()).contains("Essai à blanc : rien n’a été écrit");
        assertThat(repositoryFiles()).isEqualTo(before);

        // the same, pack headers included, but for the folders' trees: they record access times,
        // which the dry run's reading moved
        JsonNode real = ok("--json", "backup", src.toString()).json();
        assertThat(real.path("data_added").asLong()).isCloseTo(dry.path("data_added").asLong(), within(64L));
        assertThat(real.path("data_added_packed").asLong()).isCloseTo(dry.path("data_added_packed").asLong(), within(64L));
        assertThat(ok("check", "--read-data").out()).contains("Aucune erreur");
    }

    /** Documents encrypted in place: exit 4 and the alert, the snapshot tagged; a dry run alerts and writes none. */
    @Test
    void ransomwareLikeChangesAreAlertedAlsoInADryRun() throws IOException {
        Path docs = Files.createDirectories(tmp.resolve("cabinet"));
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < 30; i++) {
            Files.writeString(docs.resolve("courrier" + i + ".txt"), ("Cher confrère, le patient " + i + " ").repeat(300));
        }
        ok("init");
        ok("backup", docs.toString());
        for (int i = 0; i < 30; i++) {
            byte[] b = new byte[9000];
            rnd.nextBytes(b);
            Files.write(docs.resolve("courrier" + i + ".txt"), b);
        }
        Files.writeString(docs.resolve("HOW_TO_DECRYPT.txt"), "Your files are encrypted.\n");

        CommandRun dry = rempart("backup", "--dry-run", docs.toString());
        assertThat(dry.code()).as(dry.toString()).isEqualTo(ExitCodes.SUSPECT);
        assertThat(dry.err()).contains("ALERTE RANÇONGICIEL").contains("essai à blanc : aucun instantané n’a été écrit");
        assertThat(ok("--json", "snapshots").json()).hasSize(1);

        CommandRun real = rempart("backup", docs.toString());
        assertThat(real.code()).as(real.toString()).isEqualTo(ExitCodes.SUSPECT);
        assertThat(real.err()).contains("ALERTE RANÇONGICIEL").contains("est marqué « suspect »");
        JsonNode all = ok("--json", "snapshots").json();
        assertThat(all).hasSize(2);
        assertThat(all.get(1).path("tags").toString()).contains("suspect");
    }

    /** Every file of the repository, by folder. */
    Map<String, List<String>> repositoryFiles() throws IOException {
        Map<String, List<String>> out = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(repo)) {
            s.filter(Files::isRegularFile).forEach(f -> out.computeIfAbsent(repo.relativize(f.getParent()).toString(),
                    k -> new java.util.ArrayList<>()).add(f.getFileName().toString()));
        }
        out.values().forEach(java.util.Collections::sort);
        return out;
    }

    /** restic's restore --exclude, --iexclude and --iinclude: an exclusion wins over an inclusion. */
    @Test
    void restoreIncludesAndExcludesPaths() throws IOException {
        Files.writeString(src.resolve("sub/Radio.DCM"), "image");
        Files.writeString(src.resolve("sub/notes.txt"), "notes");
        ok("init");
        ok("backup", src.toString());
        Path all = tmp.resolve("all-but-sub");
        ok("restore", "latest", "--target", all.toString(), "--exclude", "sub");
        Path restored = all.resolve(src.toString().substring(1));
        assertThat(restored.resolve("a.txt")).hasContent("hello");
        assertThat(restored.resolve("sub")).doesNotExist();

        Path images = tmp.resolve("images");
        JsonNode r = ok("--json", "restore", "latest", "--target", images.toString(), "--iinclude", "*.dcm").json();
        assertThat(r.path("files_restored").asLong()).isEqualTo(1);
        assertThat(images.resolve(src.toString().substring(1)).resolve("sub/Radio.DCM")).hasContent("image");

        Path sub = tmp.resolve("sub-without-text");
        ok("restore", "latest", "--target", sub.toString(), "--include", "sub", "--iexclude", "*.TXT");
        Path s = sub.resolve(src.toString().substring(1));
        assertThat(s.resolve("sub/Radio.DCM")).exists();
        assertThat(s.resolve("sub/notes.txt")).doesNotExist();
        assertThat(s.resolve("sub/b.txt")).doesNotExist();
        assertThat(s.resolve("a.txt")).doesNotExist();
    }

    /**
     * restic's {@code --one-file-system}: a file system mounted inside the folder is kept as an
     * empty folder (a restore recreates where to mount it); named as a target, it is backed up whole.
     */
    @Test
    void oneFileSystemKeepsMountPointsAsEmptyFolders() throws Exception {
        Path share = src.resolve("partage");
        assumeTrue(Tmpfs.mount(share, "4m"), "mounting a tmpfs needs root");
        try {
            Files.writeString(share.resolve("monte.txt"), "sur un autre système de fichiers\n");
            ok("init");
            JsonNode r = ok("--json", "backup", "-x", src.toString()).json();
            assertThat(r.path("files_new").asLong()).isEqualTo(2); // a.txt, sub/b.txt
            String listed = ok("ls", "latest").out();
            assertThat(listed).contains(share.toString(), src.resolve("sub").toString())
                    .doesNotContain("monte.txt");
            Path out = tmp.resolve("out");
            ok("restore", "latest", "--target", out.toString());
            Path restored = out.resolve(share.toString().substring(1));
            assertThat(restored).isEmptyDirectory();

            assertThat(ok("ls", "latest").out()).doesNotContain("monte.txt");
            ok("backup", "--one-file-system", share.toString());
            assertThat(ok("ls", "latest").out()).contains(share.resolve("monte.txt").toString());
            ok("backup", src.toString());
            assertThat(ok("ls", "latest").out()).contains(share.resolve("monte.txt").toString());
            assertThat(ok("check", "--read-data").out()).contains("Aucune erreur");
        } finally {
            Tmpfs.unmount(share);
        }
    }

    @Test
    void iexcludeIgnoresCase() throws IOException {
        ok("init");
        Files.writeString(src.resolve("Thumbs.DB"), "x");
        Files.createDirectories(src.resolve("Cache"));
        Files.writeString(src.resolve("Cache/Page.TMP"), "x");
        Path patterns = tmp.resolve("patterns.txt");
        Files.writeString(patterns, "# Windows\n*.tmp\n");
        ok("backup", "--exclude", "thumbs.db", src.toString());
        assertThat(ok("ls", "latest").out()).contains("Thumbs.DB", "Page.TMP");
        ok("backup", "--iexclude", "thumbs.db", "--iexclude-file", patterns.toString(), "--exclude", "nothing", src.toString());
        String listed = ok("ls", "latest").out();
        assertThat(listed).contains("a.txt", "b.txt", "/Cache").doesNotContain("Thumbs.DB", "Page.TMP");
        assertThat(ok("--json", "snapshots").json().get(1).path("excludes").toString())
                .isEqualTo("[\"nothing\",\"thumbs.db\",\"*.tmp\"]");
    }

    @Test
    void backupStdinStoresADumpAsOneFile() throws IOException {
        ok("init");
        assertThat(rempart("backup", "--stdin", src.toString()).err()).contains("ne se combine pas avec des chemins");
        java.io.InputStream stdin = System.in;
        CommandRun r;
        try {
            System.setIn(new java.io.ByteArrayInputStream("INSERT INTO rdv VALUES (1);\n".repeat(1000).getBytes(StandardCharsets.UTF_8)));
            r = ok("backup", "--stdin", "--stdin-filename", "agenda.sql", "--tag", "dump");
        } finally {
            System.setIn(stdin);
        }
        assertThat(r.out()).contains("Fichiers :        1 nouveau", "Traités :         1 fichier, 27,344 Kio");
        JsonNode sn = ok("--json", "snapshots").json().get(0);
        assertThat(sn.path("paths").toString()).isEqualTo("[\"/agenda.sql\"]");
        assertThat(sn.path("tags").toString()).contains("dump");
        Path target = tmp.resolve("out");
        ok("restore", "latest", "--target", target.toString(), "--verify");
        assertThat(Files.readString(target.resolve("agenda.sql"))).hasSize(28000).startsWith("INSERT INTO rdv");
    }

    @Test
    void findNamesTheSnapshotsHoldingAFile() throws IOException {
        ok("init");
        Files.setLastModifiedTime(src.resolve("a.txt"), java.nio.file.attribute.FileTime.from(
                java.time.LocalDate.of(2026, 3, 2).atTime(10, 0).atZone(java.time.ZoneId.systemDefault()).toInstant()));
        ok("backup", src.toString());
        Files.writeString(src.resolve("sub/Devis Été.TXT"), "devis\n");
        ok("backup", src.toString());
        List<String> ids = new java.util.ArrayList<>();
        ok("--json", "snapshots").json().forEach(s -> ids.add(s.path("short_id").asText()));

        String both = ok("find", "a.txt").out();
        assertThat(both).contains("Trouvé dans l’instantané " + ids.get(0), "Trouvé dans l’instantané " + ids.get(1),
                src.resolve("a.txt").toString());
        // one pattern per name; case ignored on request; names, not paths
        assertThat(ok("find", "*été.txt").out()).contains("Aucun fichier ni dossier de ce nom");
        assertThat(ok("find", "-i", "*été.txt").out()).doesNotContain(ids.get(0) + " du")
                .contains(ids.get(1) + " du", src.resolve("sub/Devis Été.TXT").toString());
        assertThat(ok("find", "-i", "*été.txt", "b.*").out()).contains(ids.get(0) + " du", src.resolve("sub/b.txt").toString());
        assertThat(ok("find", "sub").out()).contains(src.resolve("sub").toString());
        // by modification time: a.txt is from March
        assertThat(ok("find", "a.txt", "--newest", "2026-03-02").out()).contains(src.resolve("a.txt").toString());
        assertThat(ok("find", "a.txt", "--oldest", "2026-03-03").out()).contains("Aucun fichier");
        assertThat(rempart("find", "a.txt", "--oldest", "mars").err()).contains("date incorrecte « mars »");

        JsonNode j = ok("--json", "find", "-s", ids.get(1), "*.txt", "--ignore-case").json();
        assertThat(j).hasSize(1);
        assertThat(j.get(0).path("snapshot").asText()).startsWith(ids.get(1));
        assertThat(j.get(0).path("hits").asInt()).isEqualTo(3);
        assertThat(j.get(0).path("matches")).extracting(m -> m.path("name").asText())
                .containsExactlyInAnyOrder("a.txt", "b.txt", "Devis Été.TXT");
        assertThat(ok("--lang", "en", "find", "nothing-like-this").out()).contains("No file or folder");
    }

    @Test
    void snapshotsAndKeysThatMatchNothingOrTooMuchAreExplained() throws IOException {
        ok("init");
        ok("backup", src.toString());
        Path target = tmp.resolve("restored");
        CommandRun none = rempart("restore", "0000000", "--target", target.toString());
        assertThat(none.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(none.err()).isEqualTo("rempart: aucun instantané ne correspond à « 0000000 » (voir rempart snapshots)\n");
        assertThat(target).doesNotExist();
        assertThat(rempart("ls", "pas-un-id").err()).contains("aucun instantané ne correspond à « pas-un-id »");
        assertThat(rempart("--lang", "en", "restore", "latest", "--host", "nobody", "--target", target.toString()).err())
                .isEqualTo("rempart: no snapshot matches \"latest\" (see rempart snapshots)\n");
        // Back up until two snapshot ids share their first digit: at most 17 snapshots.
        java.util.Set<Character> firsts = new java.util.HashSet<>();
        char shared = 0;
        while (shared == 0) {
            char c = ok("--json", "snapshots").json().get(firsts.size()).path("id").asText().charAt(0);
            if (!firsts.add(c)) {
                shared = c;
            } else {
                Files.writeString(src.resolve("a.txt"), "version " + firsts.size() + "\n");
                ok("backup", src.toString());
            }
        }
        assertThat(rempart("diff", String.valueOf(shared), "latest").err())
                .isEqualTo("rempart: plusieurs instantanés commencent par « " + shared
                        + " » : donnez plus de caractères de l’identifiant\n");

        String current = ok("key", "list", "--json").json().get(0).path("id").asText();
        String unknown = current.startsWith("0") ? "1" : "0";
        assertThat(rempart("--lang", "en", "key", "remove", unknown).err())
                .isEqualTo("rempart: no key matches \"" + unknown + "\" (see rempart key list)\n");
        assertThat(ok("key", "list", "--json").json()).hasSize(1);
    }

    /**
     * check and snapshots start reading as soon as their lock is written, without restic's 200 ms
     * wait, but report nothing if the second look finds a competitor: here an exclusive lock
     * written while they read (a prune on the practice's server starting at the same moment).
     */
    @Test
    void aReadingCommandThatRacesAnExclusiveLockReportsTheLockNotWhatItRead() throws Exception {
        ok("init");
        ok("backup", src.toString());
        Path locks = repo.resolve("locks");
        try (eu.rempart.vault.repository.Repository r = eu.rempart.vault.repository.Repository.open(
                new eu.rempart.vault.backend.local.LocalBackend(repo), PASSWORD.toCharArray())) {
            for (String[] command : List.of(new String[] {"check"}, new String[] {"--json", "snapshots"})) {
                java.util.concurrent.atomic.AtomicReference<eu.rempart.vault.Id> competitor =
                        new java.util.concurrent.atomic.AtomicReference<>();
                Thread prune = new Thread(() -> {
                    try {
                        while (!hasLockFile(locks)) {
                            Thread.sleep(2);
                        }
                        String json = "{\"time\":\"" + java.time.Instant.now() + "\",\"exclusive\":true,"
                                + "\"hostname\":\"serveur\",\"username\":\"admin\",\"pid\":1,\"uid\":0,\"gid\":0}\n";
                        competitor.set(r.saveUnpacked(eu.rempart.vault.FileType.LOCK, json.getBytes(StandardCharsets.UTF_8)));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                prune.start();
                CommandRun refused = rempart(command);
                prune.join();
                assertThat(refused.code()).as(refused.toString()).isEqualTo(ExitCodes.LOCKED);
                assertThat(refused.out()).as("nothing reported from what was read")
                        .doesNotContain("Aucune erreur", "instantané", "\"id\"");
                assertThat(listing(locks)).as("only the competitor's lock is left")
                        .containsExactly("", competitor.get().toHex());
                r.backend().remove(eu.rempart.vault.FileType.LOCK, competitor.get().toHex());
            }
        }
        assertThat(ok("check").out()).contains("Aucune erreur");
        assertThat(ok("--json", "snapshots").json()).hasSize(1);
    }

    @Test
    void theKeyDerivationIsWarmedUpOnlyForCommandsThatOpenARepository() {
        assertThat(Main.opensARepository(new String[] {"-r", "/srv/vault", "backup", "/data"})).isTrue();
        assertThat(Main.opensARepository(new String[] {"restore", "latest", "--target", "/tmp/r"})).isTrue();
        assertThat(Main.opensARepository(new String[] {"backup", "--help"})).isFalse();
        assertThat(Main.opensARepository(new String[] {"vault", "serve", "--path", "/srv"})).isFalse();
        assertThat(Main.opensARepository(new String[] {"cache", "--cleanup"})).isFalse();
        assertThat(Main.opensARepository(new String[] {"version"})).isFalse();
    }

    @Test
    void theServerOffersNoneOfTheOptionsThatReachARepository() {
        CommandRun help = ok("vault", "serve", "--help");
        assertThat(help.out()).contains("--append-only", "--htpasswd-file", "--max-size", "--lang")
                .doesNotContain("--repo", "--password-file", "--cache-dir", "--no-cache", "--cacert", "--option");
        CommandRun refused = rempart("vault", "serve", "--password-file", "/nonexistent", "--path", tmp.toString());
        assertThat(refused.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(refused.err()).contains("--password-file");
        // The clients keep them.
        assertThat(ok("backup", "--help").out()).contains("--repo", "--password-file", "--cache-dir");
    }

    @Test
    void cacheListsTheCachesOfRemoteRepositoriesAndRemovesOldOnes() throws Exception {
        Path cache = tmp.resolve("cache");
        env.put("REMPART_CACHE_DIR", cache.toString());
        assertThat(ok("cache").out()).isEqualTo("aucun cache dans " + cache + "\n");
        try (eu.rempart.vault.server.RestServer server = eu.rempart.vault.testing.LoopbackRest.start(tmp.resolve("served"), null)) {
            env.put("REMPART_REPOSITORY", "rest:http://127.0.0.1:" + server.address().getPort() + "/practice/");
            ok("init");
            // The key file is kept from the start: the first backup derives its key while the store answers.
            Path stored;
            try (Stream<Path> keys = Files.list(tmp.resolve("served/practice/keys"))) {
                stored = keys.findFirst().orElseThrow();
            }
            assertThat(listing(cache.resolve("keys"))).hasSize(2);
            try (Stream<Path> keys = Files.list(cache.resolve("keys"))) {
                assertThat(keys.findFirst().orElseThrow()).hasSameBinaryContentAs(stored);
            }
            ok("backup", src.toString());
            ok("snapshots");

            JsonNode list = ok("cache", "--json").json();
            assertThat(list.path("directory").asText()).isEqualTo(cache.toString());
            assertThat(list.path("caches")).hasSize(1);
            JsonNode c = list.path("caches").get(0);
            String id = c.path("repository_id").asText();
            assertThat(cache.resolve(id).resolve("snapshots")).isDirectory();
            assertThat(c.path("old").asBoolean()).isFalse();
            assertThat(c.path("size").asLong()).isEqualTo(sizeOf(cache.resolve(id)));
            assertThat(list.path("removed")).isEmpty();
            assertThat(ok("cache").out()).contains(id.substring(0, 10), "aujourd’hui", "1 cache(s) dans " + cache);
            assertThat(ok("cache", "--no-size", "--lang", "en").out()).contains("Last used", "today").doesNotContain("Size");

            // Unused for 40 days: old, and gone with --cleanup, the key file copy with it.
            java.nio.file.attribute.FileTime longAgo = java.nio.file.attribute.FileTime.from(
                    java.time.Instant.now().minus(java.time.Duration.ofDays(40)));
            Files.setLastModifiedTime(cache.resolve(id), longAgo);
            try (Stream<Path> keys = Files.list(cache.resolve("keys"))) {
                for (Path k : keys.toList()) {
                    Files.setLastModifiedTime(k, longAgo);
                }
            }
            assertThat(ok("cache", "--json").json().path("caches").get(0).path("old").asBoolean()).isTrue();
            assertThat(ok("cache", "--max-age", "50", "--cleanup", "--json").json().path("removed")).isEmpty();
            JsonNode cleaned = ok("cache", "--cleanup", "--json").json();
            assertThat(cleaned.path("removed")).hasSize(1);
            assertThat(cleaned.path("removed").get(0).asText()).isEqualTo(id);
            assertThat(cleaned.path("caches")).isEmpty();
            assertThat(cache.resolve(id)).doesNotExist();
            assertThat(listing(cache.resolve("keys"))).containsExactly("");

            // The repository itself is untouched; the next command fetches what it needs again.
            assertThat(ok("snapshots", "--json").json()).hasSize(1);
            assertThat(cache.resolve(id).resolve("snapshots")).isDirectory();
        }
        assertThat(rempart("cache", "--max-age", "-1").code()).isEqualTo(ExitCodes.ERROR);
        assertThat(ok("cache", "--help").out()).contains("--cleanup", "--max-age", "--cache-dir")
                .doesNotContain("--repo", "--password-file", "--no-cache", "--cacert", "--option");
    }

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** A finished lock file (named by its hash; a file being written has a temporary name). */
    private static boolean hasLockFile(Path locks) throws IOException {
        try (Stream<Path> l = Files.list(locks)) {
            return l.anyMatch(p -> p.getFileName().toString().matches("[0-9a-f]{64}"));
        }
    }
}
