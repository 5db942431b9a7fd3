package eu.rempart.vault.restoretest;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.archiver.Archiver;
import eu.rempart.vault.archiver.BackupOptions;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.testing.TestTrees;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The restore test passes on a sound repository and names the files a damaged or missing pack breaks. */
class RestoreTestTest {
    static final char[] PASSWORD = "restore test".toCharArray();

    @TempDir
    Path tmp;
    Path src;
    Path dir;
    Snapshot sn;

    @BeforeEach
    void backup() throws Exception {
        src = tmp.resolve("src");
        TestTrees.build(src, 5, 120, 2, 2 << 20);
        dir = tmp.resolve("repo");
        try (Repository repo = Repository.init(new LocalBackend(dir), PASSWORD, KdfParams.forTests(), null, "t", "h")) {
            sn = new Archiver(repo, BackupOptions.defaults("h", "t"), null).backup(List.of(src), null).snapshot();
        }
    }

    RestoreTest.Report test(int files) throws Exception {
        try (Repository repo = Repository.open(new LocalBackend(dir), PASSWORD)) {
            repo.loadIndex();
            return RestoreTest.run(repo, sn, new RestoreTest.Options(files, Long.MAX_VALUE, tmp.resolve("scratch"), new Random(1)));
        }
    }

    @Test
    void aSoundRepositoryRestoresEveryFileIdentically() throws Exception {
        RestoreTest.Report r = test(10);
        assertThat(r.ok()).as("%s", r.failures()).isTrue();
        assertThat(r.filesTested()).isEqualTo(10);
        assertThat(r.filesMatchingSource()).isEqualTo(10);
        assertThat(tmp.resolve("scratch")).doesNotExist();
        // a sample larger than the snapshot tests every non-empty file, odd names included
        RestoreTest.Report all = test(100_000);
        assertThat(all.ok()).as("%s", all.failures()).isTrue();
        assertThat(all.filesTested()).isEqualTo((int) all.filesInSnapshot()).isGreaterThan(120);
        assertThat(all.filesMatchingSource()).isEqualTo(all.filesTested());
    }

    @Test
    void aSourceFileChangedSinceIsNotCompared() throws Exception {
        Path big = src.resolve("images/xray-0.dcm");
        Files.write(big, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        Files.setLastModifiedTime(big, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        RestoreTest.Report all = test(100_000);
        assertThat(all.ok()).as("%s", all.failures()).isTrue();
        assertThat(all.filesMatchingSource()).isEqualTo(all.filesTested() - 1);
    }

    @Test
    void aDamagedPackIsFoundAndNamed() throws Exception {
        var blob = chunkOf("images/xray-1.dcm");
        Path pack = packPath(blob.packId());
        byte[] b = Files.readAllBytes(pack);
        for (int i = 0; i < 64; i++) {
            b[(int) blob.offset() + blob.length() / 2 + i] ^= 0x5a; // inside that chunk
        }
        pack.toFile().setWritable(true);
        Files.write(pack, b);
        RestoreTest.Report r = test(100_000);
        assertThat(r.ok()).isFalse();
        assertThat(r.failures()).anySatisfy(f -> {
            assertThat(f.path()).endsWith("images/xray-1.dcm");
            assertThat(f.problem()).contains("cannot be restored").contains("damaged pack");
        });
        assertThat(tmp.resolve("scratch")).doesNotExist();
    }

    @Test
    void aMissingPackIsFoundAndNamed() throws Exception {
        Files.delete(packPath(chunkOf("images/xray-0.dcm").packId()));
        RestoreTest.Report r = test(100_000);
        assertThat(r.failures()).anySatisfy(f -> {
            assertThat(f.path()).endsWith("images/xray-0.dcm");
            assertThat(f.problem()).contains("a pack holding its data is missing");
        });
    }

    Path packPath(Id p) {
        return dir.resolve("data").resolve(p.toHex().substring(0, 2)).resolve(p.toHex());
    }

    /** Where the first chunk of a file of the source tree is stored. */
    eu.rempart.vault.pack.PackedBlob chunkOf(String rel) throws Exception {
        try (Repository repo = Repository.open(new LocalBackend(dir), PASSWORD)) {
            repo.loadIndex();
            byte[] want = Files.readAllBytes(src.resolve(rel));
            // the first chunk of a large random file is at least 512 KiB: its hash identifies it
            for (var pb : repo.index().all()) {
                if (pb.type() == BlobType.DATA) {
                    byte[] plain = repo.loadBlob(pb);
                    if (plain.length > 1000 && java.util.Arrays.equals(plain, 0, plain.length, want, 0, plain.length)) {
                        return pb;
                    }
                }
            }
        }
        throw new AssertionError("no chunk of " + rel);
    }
}
