package eu.rempart.vault.interop;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.archiver.Archiver;
import eu.rempart.vault.archiver.BackupOptions;
import eu.rempart.vault.archiver.BackupResult;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.checker.CheckOptions;
import eu.rempart.vault.checker.CheckResult;
import eu.rempart.vault.checker.Checker;
import eu.rempart.vault.chunker.Polynomial;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.prune.PruneOptions;
import eu.rempart.vault.prune.Pruner;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.restorer.RestoreOptions;
import eu.rempart.vault.restorer.RestoreResult;
import eu.rempart.vault.restorer.Restorer;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import eu.rempart.vault.testing.Restic;
import eu.rempart.vault.testing.TestTrees;
import eu.rempart.vault.testing.TreeCompare;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The two tools read each other's repositories: the format is verified by restic itself. */
class ResticInteropTest {
    static final String PASSWORD = "correct horse battery staple";
    /**
     * restic 0.14 keeps a symlink target as a Go string, so a target that is not UTF-8 comes back
     * with U+FFFD in place of the bad bytes, whoever wrote the repository (restic >= 0.17 reads the
     * {@code linktarget_raw} Rempart also writes). Everything else must match exactly.
     */
    static final List<String> RESTIC_014_LOSSY = List.of("link target differs: /odd/link-bad-target");
    /**
     * A chunker polynomial (restic's chunker tests use it), so that chunk sizes are the same in every
     * run: with a random one, about 1 run in 100 cut the large files into no chunk above 2 MiB, and
     * the assertions on such chunks failed; another put most of a 6 MiB stream in its last chunk.
     */
    static final Polynomial FIXED = Polynomial.parse("3DA3358B4DC173");

    @TempDir
    static Path tmp;
    static Path source;

    @BeforeAll
    static void buildSource() throws Exception {
        assumeTrue(Restic.available(), "restic binary not installed");
        source = tmp.resolve("source");
        TestTrees.build(source, 42, 3000, 3, 9 << 20);
    }

    static Repository init(Path dir) throws Exception {
        return Repository.init(new LocalBackend(dir), PASSWORD.toCharArray(), KdfParams.forTests(), FIXED, "test", "host");
    }

    @Test
    void rempartWritesResticChecksAndRestores() throws Exception {
        Path repoDir = tmp.resolve("repo-rempart");
        BackupResult r;
        try (Repository repo = init(repoDir)) {
            r = new Archiver(repo, BackupOptions.defaults("host", "test"), null).backup(List.of(source), null);
        }
        assertThat(r.summary().errors()).isEmpty();
        assertThat(r.summary().filesNew()).isGreaterThan(3000);
        // The large random files give chunks above the archiver's 2 MiB small-copy size, stored
        // uncompressed and so sealed in place: restic checks and restores those too (below).
        try (Repository repo = Repository.open(new LocalBackend(repoDir), PASSWORD.toCharArray())) {
            repo.loadIndex();
            assertThat(repo.index().all()).anySatisfy(b -> {
                assertThat(b.type()).isEqualTo(BlobType.DATA);
                assertThat(b.compressed()).isFalse();
                assertThat(b.length()).isGreaterThan((2 << 20) + 32);
            });
        }

        Restic restic = new Restic(repoDir, PASSWORD);
        Restic.Result check = restic.run("check", "--read-data").assertOk();
        assertThat(check.out()).contains("no errors were found");

        Path target = tmp.resolve("restored-by-restic");
        restic.run("restore", "latest", "--target", target.toString()).assertOk();
        assertThat(TreeCompare.diff(source, target.resolve(stripRoot(source)))).isEqualTo(RESTIC_014_LOSSY);

        // Rempart restores its own snapshot identically too, and its checker agrees with restic's.
        try (Repository repo = Repository.open(new LocalBackend(repoDir), PASSWORD.toCharArray())) {
            repo.loadIndex();
            CheckResult c = new Checker(repo, null).check(new CheckOptions(true, null));
            assertThat(c.errors()).isEmpty();
            Snapshot sn = Snapshots.list(repo).find("latest", s -> true);
            Path t2 = tmp.resolve("restored-by-rempart");
            RestoreResult rr = new Restorer(repo, new RestoreOptions(List.of(), true, 2), null).restore(sn, t2);
            assertThat(rr.errors()).isEmpty();
            assertThat(TreeCompare.diff(source, t2.resolve(stripRoot(source)))).isEmpty();
        }
    }

    @Test
    void resticWritesRempartChecksAndRestores() throws Exception {
        Path repoDir = tmp.resolve("repo-restic");
        // restic takes the fixed polynomial from a repository that has it
        Path polySource = tmp.resolve("polynomial-source");
        init(polySource).close();
        Restic restic = new Restic(repoDir, PASSWORD).withEnv(java.util.Map.of("RESTIC_FROM_PASSWORD", PASSWORD));
        restic.run("init", "--from-repo", polySource.toString(), "--copy-chunker-params").assertOk();
        restic.run("backup", source.toString()).assertOk();
        try (Repository repo = Repository.open(new LocalBackend(repoDir), PASSWORD.toCharArray())) {
            repo.loadIndex();
            // restic compresses every blob, random ones into raw-block frames larger than their
            // plaintext: the hardest case for the restorer's in-place decompression.
            assertThat(repo.index().all()).anySatisfy(b -> {
                assertThat(b.compressed()).isTrue();
                assertThat(b.length()).isGreaterThan(b.uncompressedLength() + 32).isGreaterThan(2 << 20);
            });
            CheckResult c = new Checker(repo, null).check(new CheckOptions(true, null));
            assertThat(c.errors()).isEmpty();
            Snapshot sn = Snapshots.list(repo).find("latest", s -> true);
            Path target = tmp.resolve("restic-restored-by-rempart");
            RestoreResult rr = new Restorer(repo, new RestoreOptions(List.of(), true, 2), null).restore(sn, target);
            assertThat(rr.errors()).isEmpty();
            assertThat(rr.verifiedFiles()).isGreaterThan(3000);
            assertThat(TreeCompare.diff(source, target.resolve(stripRoot(source)))).isEqualTo(RESTIC_014_LOSSY);
        }
    }

    @Test
    void sharedDeduplicationBetweenResticAndRempart() throws Exception {
        Path repoDir = tmp.resolve("repo-shared");
        Restic restic = new Restic(repoDir, PASSWORD);
        restic.run("init").assertOk();
        restic.run("backup", source.toString()).assertOk();
        long before = du(repoDir);
        long dataSize = du(source);
        try (Repository repo = Repository.open(new LocalBackend(repoDir), PASSWORD.toCharArray())) {
            repo.loadIndex();
            BackupResult r = new Archiver(repo, BackupOptions.defaults("host", "test"), null).backup(List.of(source), null);
            assertThat(r.summary().filesNew()).isGreaterThan(3000); // no parent: every file read
        }
        long added = du(repoDir) - before;
        assertThat(added).as("bytes added by Rempart after restic").isLessThan(dataSize / 100);
        restic.run("check", "--read-data").assertOk();
    }

    /** backup --stdin: a database dump stored as one file, which restic restores and dumps. */
    @Test
    void aStreamIsStoredAsOneFileResticReads() throws Exception {
        Path repoDir = tmp.resolve("repo-stdin");
        byte[] dump = new byte[6 << 20];
        new java.util.Random(3).nextBytes(dump);
        for (int i = 0; i < dump.length; i += 2) {
            dump[i] = 'x'; // half of it compressible
        }
        BackupOptions opts = BackupOptions.defaults("host", "test");
        try (Repository repo = init(repoDir)) {
            BackupResult r = Archiver.backupStream(repo, opts, new java.io.ByteArrayInputStream(dump), "agenda.sql");
            assertThat(r.snapshot().paths()).containsExactly("/agenda.sql");
            assertThat(r.summary().totalBytesProcessed()).isEqualTo(dump.length);
            // the next day's dump, changed near its end, shares the unchanged chunks
            dump[dump.length - 1000] ^= 1;
            Thread.sleep(5); // a later snapshot time, so that "latest" is this one
            BackupResult again = Archiver.backupStream(repo, BackupOptions.defaults("host", "test"),
                    new java.io.ByteArrayInputStream(dump), "agenda.sql");
            assertThat(again.summary().dataAdded()).isLessThan(dump.length / 2);
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> Archiver.backupStream(repo, opts,
                    new java.io.ByteArrayInputStream(dump), "../x"))).hasMessageContaining("invalid file name");
        }
        Restic restic = new Restic(repoDir, PASSWORD);
        assertThat(restic.run("check", "--read-data").assertOk().out()).contains("no errors were found");
        Path out = tmp.resolve("restic-restored-stdin");
        restic.run("restore", "latest", "--target", out.toString()).assertOk();
        assertThat(out.resolve("agenda.sql")).hasBinaryContent(dump);
        try (Repository repo = Repository.open(new LocalBackend(repoDir), PASSWORD.toCharArray())) {
            repo.loadIndex();
            Path t = tmp.resolve("rempart-restored-stdin");
            RestoreResult rr = new Restorer(repo, new RestoreOptions(List.of(), true, 2), null)
                    .restore(Snapshots.list(repo).find("latest", sn -> true), t);
            assertThat(rr.errors()).isEmpty();
            assertThat(t.resolve("agenda.sql")).hasBinaryContent(dump);
        }
    }

    /**
     * A repository restic 0.13 or older created (format version 1, no compression) stays one: Rempart
     * reads it, adds uncompressed data whatever compression is asked for, and restic reads that.
     */
    @Test
    void resticVersion1RepositoryStaysVersion1() throws Exception {
        Path small = tmp.resolve("source-v1");
        TestTrees.build(small, 7, 200, 2, 3 << 20);
        Path repoDir = tmp.resolve("repo-v1");
        Restic restic = new Restic(repoDir, PASSWORD);
        restic.run("init", "--repository-version", "1").assertOk();
        restic.run("backup", small.toString()).assertOk();
        byte[] config = Files.readAllBytes(repoDir.resolve("config"));

        try (Repository repo = Repository.open(new LocalBackend(repoDir), PASSWORD.toCharArray())) {
            assertThat(repo.config().version()).isEqualTo(1);
            repo.loadIndex();
            CheckResult c = new Checker(repo, null).check(new CheckOptions(true, null));
            assertThat(c.errors()).isEmpty();
            Path target = tmp.resolve("v1-restored-by-rempart");
            RestoreResult rr = new Restorer(repo, new RestoreOptions(List.of(), true, 2), null)
                    .restore(Snapshots.list(repo).find("latest", sn -> true), target);
            assertThat(rr.errors()).isEmpty();
            assertThat(TreeCompare.diff(small, target.resolve(stripRoot(small)))).isEqualTo(RESTIC_014_LOSSY);

            Files.writeString(small.resolve("added by rempart.txt"), "texte compressible ".repeat(20_000));
            repo.setCompression(eu.rempart.vault.repository.Compression.MAX);
            BackupResult r = new Archiver(repo, BackupOptions.defaults("host", "test"), null).backup(List.of(small), null);
            assertThat(r.summary().errors()).isEmpty();
            // 380 kB that zstd would shrink a hundredfold, stored as they are
            assertThat(r.summary().dataAddedPacked()).isGreaterThan(380_000);

            PruneOptions compress = new PruneOptions(PruneOptions.DEFAULTS.maxUnused(), Long.MAX_VALUE, false, false, true);
            assertThatThrownBy(() -> Pruner.checkOptions(repo, compress)).isInstanceOfSatisfying(VaultException.class,
                    e -> assertThat(e.problem()).isEqualTo(VaultException.Problem.NEEDS_VERSION_2));
        }
        try (Repository repo = Repository.open(new LocalBackend(repoDir), PASSWORD.toCharArray())) {
            repo.loadIndex();
            assertThat(repo.index().all()).isNotEmpty().allSatisfy(b -> assertThat(b.compressed()).isFalse());
        }
        assertThat(repoDir.resolve("config")).hasBinaryContent(config);
        assertThat(restic.run("check", "--read-data").assertOk().out()).contains("no errors were found");
        Path target = tmp.resolve("v1-restored-by-restic");
        restic.run("restore", "latest", "--target", target.toString()).assertOk();
        assertThat(TreeCompare.diff(small, target.resolve(stripRoot(small)))).isEqualTo(RESTIC_014_LOSSY);
    }

    static String stripRoot(Path abs) {
        return abs.toString().substring(1);
    }

    static long du(Path p) throws Exception {
        try (var s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
