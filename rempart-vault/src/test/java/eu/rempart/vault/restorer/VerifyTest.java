package eu.rempart.vault.restorer;

import eu.rempart.vault.VaultException;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.testing.TestTrees;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code restore --verify} reads every file back: one that the target disk does not return as
 * written is named, with the problem a front end explains, and the others are counted verified.
 */
class VerifyTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "pack batch {0}")
    @ValueSource(ints = {0, 50})
    void aFileThatReadsBackWrongIsNamed(int packBatch) throws Exception {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        for (int i = 0; i < 5; i++) {
            TestTrees.writeRandom(src.resolve("scan-" + i + ".pdf"), 200_000, i);
        }
        Snapshot sn = LocalVault.backUp(tmp.resolve("repo"), src);
        try (Repository repo = LocalVault.open(tmp.resolve("repo"))) {
            // A failing disk: between the write and the read back, one byte of scan-3 changes.
            RestoreProgress disk = new RestoreProgress() {
                @Override
                public void fileDone(String path) {
                    if (path.endsWith("scan-3.pdf")) {
                        try {
                            Files.write(Path.of(path), new byte[] {42}, StandardOpenOption.WRITE);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }
            };
            RestoreResult r = new Restorer(repo, new RestoreOptions(List.of(), true, 2), disk, packBatch)
                    .restore(sn, tmp.resolve("target"));
            assertThat(r.files()).isEqualTo(5);
            assertThat(r.verifiedFiles()).isEqualTo(4);
            assertThat(r.errors()).singleElement().satisfies(e -> {
                assertThat(e.path()).endsWith("scan-3.pdf");
                assertThat(e.vaultProblem()).isEqualTo(VaultException.Problem.VERIFY_FAILED);
                assertThat(e.message()).isEqualTo("verify: content differs from the snapshot");
            });
        }
    }
}
