package eu.rempart.vault.restorer;

import eu.rempart.vault.archiver.Archiver;
import eu.rempart.vault.archiver.BackupOptions;
import eu.rempart.vault.archiver.BackupResult;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.chunker.Polynomial;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The restore tests' local repository: cheap key derivation and a fixed chunker polynomial
 * (restic's tests' own), so chunk boundaries do not depend on a random one.
 */
final class LocalVault {
    private static final char[] PASSWORD = "restore test".toCharArray();

    private LocalVault() {
    }

    /** A new repository at {@code dir} holding one backup of {@code src}, which read every file. */
    static Snapshot backUp(Path dir, Path src) throws IOException {
        try (Repository repo = Repository.init(new LocalBackend(dir), PASSWORD, KdfParams.forTests(),
                Polynomial.parse("3DA3358B4DC173"), "test", "host")) {
            BackupResult r = new Archiver(repo, BackupOptions.defaults("host", "test"), null).backup(List.of(src), null);
            assertThat(r.summary().errors()).isEmpty();
            return r.snapshot();
        }
    }

    /** The repository at {@code dir}, its index loaded. */
    static Repository open(Path dir) throws IOException {
        Repository repo = Repository.open(new LocalBackend(dir), PASSWORD);
        repo.loadIndex();
        return repo;
    }
}
