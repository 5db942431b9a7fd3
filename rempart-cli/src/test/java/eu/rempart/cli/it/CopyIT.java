package eu.rempart.cli.it;

import eu.rempart.cli.CommandRun;

import com.fasterxml.jackson.databind.JsonNode;
import eu.rempart.vault.testing.Restic;
import eu.rempart.vault.testing.TreeCompare;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code rempart copy} from the practice's local vault to an off-site append-only server: only what
 * is missing travels, the copies are re-encrypted for the destination, restic reads them, and with
 * shared chunker parameters deduplication survives.
 */
class CopyIT extends ItBase {
    static final String OFFSITE_PASSWORD = "offsite-pässword";

    @Test
    void copiesToAnAppendOnlyOffsiteVaultOnlyWhatIsMissing() throws Exception {
        secrets.add(OFFSITE_PASSWORD);
        ok("init");
        Path src = smallTree("src", 21);
        writeKeystream(src.resolve("scan.bin"), 6 << 20, 21);
        String first = backup(src);
        Files.writeString(src.resolve("note.txt"), "added before the second backup");
        String second = backup(src);

        Path vaultDir = tmp.resolve("offsite");
        Files.createDirectories(vaultDir);
        try (VaultServer server = VaultServer.start(rempart, tmp.resolve("scratch"), vaultDir, 0, "--no-auth", "--append-only")) {
            String offsite = server.repo(null, null, "cabinet/");
            // The destination is "-r"; the local vault is the source, with its own password.
            env.put("REMPART_FROM_REPOSITORY", repo.toString());
            env.put("REMPART_FROM_PASSWORD", PASSWORD);
            Path offsitePw = tmp.resolve("offsite-password");
            Files.writeString(offsitePw, OFFSITE_PASSWORD);
            String pw = "--password-file=" + offsitePw;
            okAt(offsite, pw, "init", "--copy-chunker-params");

            JsonNode c1 = okAt(offsite, pw, "copy", "--json").json();
            assertThat(c1.path("copied").size()).isEqualTo(2);
            assertThat(c1.path("skipped").size()).isZero();
            long bytesFirst = c1.path("bytes_copied").asLong();
            assertThat(bytesFirst).isGreaterThan(6 << 20);

            // A copy again finds everything there and moves nothing.
            JsonNode c2 = okAt(offsite, pw, "copy", "--json").json();
            assertThat(c2.path("copied").size()).isZero();
            assertThat(c2.path("skipped").size()).isEqualTo(2);
            assertThat(c2.path("bytes_copied").asLong()).isZero();

            // A third backup with one small new file: only its blobs and the changed trees travel.
            Files.writeString(src.resolve("later.txt"), "one more letter");
            String third = backup(src);
            JsonNode c3 = okAt(offsite, pw, "copy", "--json").json();
            assertThat(c3.path("copied").size()).isEqualTo(1);
            assertThat(c3.path("copied").get(0).path("source").asText()).isEqualTo(third);
            assertThat(c3.path("bytes_copied").asLong()).isLessThan(100_000);

            // restic sees three snapshots off-site, each naming its original, and reads them all.
            Restic offsiteRestic = new Restic(offsite, OFFSITE_PASSWORD);
            JsonNode snaps = RempartProcess.JSON.readTree(offsiteRestic.run("snapshots", "--json").assertOk().out());
            Set<String> originals = new HashSet<>();
            snaps.forEach(s -> originals.add(s.path("original").asText()));
            assertThat(originals).containsExactlyInAnyOrder(first, second, third);
            offsiteRestic.run("check", "--read-data").assertOk();
            Path t = tmp.resolve("restore");
            okAt(offsite, pw, "restore", "latest", "--target", t.toString());
            assertThat(TreeCompare.diff(src, within(t, src))).isEmpty();

            // Same chunker polynomial: backing the same tree up directly off-site adds no file data.
            // --force reads and chunks every file again; every chunk is found already stored.
            JsonNode direct = okAt(offsite, pw, "backup", "--force", "--json", src.toString()).json();
            assertThat(direct.path("files_new").asLong() + direct.path("files_changed").asLong()
                    + direct.path("files_unmodified").asLong()).isPositive();
            assertThat(direct.path("data_blobs").asLong()).isZero();

            // Different keys: the local password does not open the off-site vault.
            assertThat(rempartAt(offsite, "snapshots").code()).isNotZero();
        }
    }

    @Test
    void withoutASourceRepositoryOrItsPasswordCopyExplainsWhatIsMissing() throws Exception {
        ok("init");
        CommandRun r = rempart.run("copy");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--from-repo");
        env.put("REMPART_FROM_REPOSITORY", tmp.resolve("elsewhere").toString());
        r = rempart.run("copy");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("REMPART_FROM_PASSWORD");
    }
}
