package eu.rempart.sentinel.backup;

import eu.rempart.vault.archiver.Archiver;
import eu.rempart.vault.archiver.BackupOptions;
import eu.rempart.vault.archiver.BackupResult;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.forget.Forget;
import eu.rempart.vault.forget.Group;
import eu.rempart.vault.forget.GroupBy;
import eu.rempart.vault.forget.Policy;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import eu.rempart.vault.testing.Restic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static eu.rempart.sentinel.testing.Practice.docx;
import static eu.rempart.sentinel.testing.Practice.gzip;
import static eu.rempart.sentinel.testing.Practice.jpeg;
import static eu.rempart.sentinel.testing.Practice.pdf;
import static eu.rempart.sentinel.testing.Practice.text;
import static org.assertj.core.api.Assertions.assertThat;

/** Backup-time detection on a real repository, read back by restic. */
class BackupInspectorTest {
    @TempDir
    Path tmp;

    @Test
    void attackSnapshotsAreTaggedSuspectAndRetentionKeepsTheLastCleanOne() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("cabinet"));
        List<Path> docs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Path folder = Files.createDirectories(data.resolve("patient" + (i % 5)));
            docs.add(Files.write(folder.resolve("courrier" + i + ".docx"), docx(i)));
            docs.add(Files.write(folder.resolve("radio" + i + ".jpg"), jpeg(i)));
            docs.add(Files.write(folder.resolve("cr" + i + ".pdf"), pdf(i)));
            docs.add(Files.write(folder.resolve("notes" + i + ".txt"), text(i, 5000)));
        }
        Path repoDir = tmp.resolve("repo");
        Repository.init(new LocalBackend(repoDir), "pw".toCharArray(), KdfParams.forTests(), null, "test", "host").close();
        try (Repository repo = Repository.open(new LocalBackend(repoDir), "pw".toCharArray())) {
            repo.loadIndex();
            Snapshot first = backup(repo, data, Instant.parse("2026-11-20T20:00:00Z"));
            assertThat(first.tags()).doesNotContain("suspect");

            // a normal day: documents edited, new images, an encrypted archive, a rotated log
            for (int i = 0; i < docs.size(); i += 7) {
                Path d = docs.get(i);
                String n = d.getFileName().toString();
                Files.write(d, n.endsWith(".docx") ? docx(500 + i) : n.endsWith(".jpg") ? jpeg(500 + i)
                        : n.endsWith(".pdf") ? pdf(500 + i) : text(500 + i, 6000));
            }
            byte[] noise = new byte[300_000];
            new Random(1).nextBytes(noise);
            Files.write(data.resolve("sauvegarde-2026-11-21.tar.gz.enc"), noise);
            Files.write(data.resolve("app.log.gz"), gzip(text(3, 50_000)));
            Snapshot normal = backup(repo, data, Instant.parse("2026-11-21T20:00:00Z"));
            assertThat(normal.tags()).doesNotContain("suspect");

            // the attack: a third of the documents encrypted in place, some copied-encrypted-deleted, notes
            for (int i = 0; i < docs.size(); i += 3) {
                Path d = docs.get(i);
                if (i % 2 == 0) {
                    Files.write(d, aes(Files.readAllBytes(d)));
                } else {
                    Files.write(d.resolveSibling(d.getFileName() + ".k3x9q"), aes(Files.readAllBytes(d)));
                    Files.delete(d);
                }
            }
            for (int i = 0; i < 5; i++) {
                Files.writeString(data.resolve("patient" + i + "/HOW_TO_DECRYPT.txt"), "Your files are encrypted.\n");
            }
            BackupInspector inspector = new BackupInspector();
            Snapshot attacked = backup(repo, data, Instant.parse("2026-11-22T20:00:00Z"), inspector);
            assertThat(attacked.tags()).contains("suspect");
            assertThat(inspector.verdict().counts()).containsKeys(BackupInspector.Reason.DOCUMENT_ENCRYPTED,
                    BackupInspector.Reason.ENCRYPTED_COPY, BackupInspector.Reason.RANSOM_NOTE);

            // nothing changed since, but the parent is the last clean snapshot: still suspect
            Snapshot after = backup(repo, data, Instant.parse("2026-11-23T20:00:00Z"));
            assertThat(after.tags()).contains("suspect");
            assertThat(after.parent()).isEqualTo(normal.id());

            // retention "keep the last one" keeps the last clean snapshot and the suspect ones
            List<Group> groups = Forget.apply(Snapshots.loadAll(repo), Policy.builder().keepLast(1).build(), GroupBy.DEFAULT);
            List<Snapshot> kept = groups.get(0).keep();
            assertThat(kept).extracting(Snapshot::id).contains(normal.id(), attacked.id(), after.id())
                    .doesNotContain(first.id());
        }
        if (Restic.available()) {
            new Restic(repoDir, "pw").run("check", "--read-data").assertOk();
        }
    }

    private Snapshot backup(Repository repo, Path data, Instant time) throws Exception {
        return backup(repo, data, time, new BackupInspector());
    }

    private Snapshot backup(Repository repo, Path data, Instant time, BackupInspector inspector) throws Exception {
        BackupOptions d = BackupOptions.defaults("host", "user");
        BackupOptions o = new BackupOptions(d.hostname(), d.username(), List.of(), d.excludes(), d.workers(), time, "test");
        Snapshot parent = Snapshots.list(repo).parentFor("host", List.of(data.toString()));
        BackupResult r = new Archiver(repo, o, null).inspectWith(inspector).backup(List.of(data), parent);
        return r.snapshot();
    }

    private static byte[] aes(byte[] data) throws Exception {
        byte[] key = new byte[32];
        new Random(data.length).nextBytes(key);
        Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
        return c.doFinal(data);
    }
}
