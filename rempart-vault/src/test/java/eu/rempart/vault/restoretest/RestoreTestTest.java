package eu.rempart.vault.restoretest;

import eu.rempart.vault.fs.FileKind;
import eu.rempart.vault.fs.FileNames;
import eu.rempart.vault.fs.FileStat;
import eu.rempart.vault.fs.FileSystemAccess;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.testing.TestTrees;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Restore tests of healthy repositories: real files, the real restic format. */
class RestoreTestTest {
    @TempDir
    Path tmp;
    Path source;
    Path repoDir;
    Path scratch;

    @BeforeEach
    void setUp() {
        source = tmp.resolve("source");
        repoDir = tmp.resolve("repo");
        scratch = tmp.resolve("scratch");
    }

    private void buildSource() throws Exception {
        // 3 large files of a few chunks each, and TestTrees' odd names (not UTF-8, long, quotes, newline)
        TestTrees.build(source, 11, 80, 3, 2 << 20);
        Fixtures.addGlobNames(source.resolve("glob"));
    }

    private RestoreTestOptions options(int files, long maxBytes, long seed) {
        return new RestoreTestOptions(files, maxBytes, scratch, new SplittableRandom(seed));
    }

    @Test
    void sampleOfHealthyRepositoryVerifiesAndMatchesSource() throws Exception {
        buildSource();
        Snapshot sn = Fixtures.backup(repoDir, source);
        for (long seed = 1; seed <= 3; seed++) {
            RestoreTestReport r;
            try (Repository repo = Fixtures.open(repoDir)) {
                r = RestoreTest.run(repo, sn, options(10, 1L << 30, seed));
            }
            assertThat(r.failures()).isEmpty();
            assertThat(r.ok()).isTrue();
            assertThat(r.snapshot()).isEqualTo(sn.id());
            assertThat(r.snapshotTime()).isEqualTo(sn.time());
            assertThat(r.filesInSnapshot()).isEqualTo(Fixtures.regularFiles(source));
            assertThat(r.filesTested()).isEqualTo(10);
            assertThat(r.bytesTested()).isPositive();
            assertThat(r.filesMatchingSource()).isEqualTo(10);
            assertThat(r.took()).isGreaterThanOrEqualTo(Duration.ZERO);
            assertThat(scratch).doesNotExist();
        }
    }

    @Test
    void sampleLargerThanSnapshotTestsEveryFileWhateverItsName() throws Exception {
        buildSource();
        Snapshot sn = Fixtures.backup(repoDir, source);
        RestoreTestReport r;
        try (Repository repo = Fixtures.open(repoDir)) {
            r = RestoreTest.run(repo, sn, options(100_000, Long.MAX_VALUE, 5));
        }
        long files = Fixtures.regularFiles(source);
        assertThat(r.failures()).isEmpty();
        assertThat(r.ok()).isTrue();
        assertThat(r.filesInSnapshot()).isEqualTo(files);
        assertThat(r.filesTested()).isEqualTo(files);
        // every file is still the one backed up, non-UTF-8, glob and blank-ended names included
        assertThat(r.filesMatchingSource()).isEqualTo(files);
        long bytes = 0;
        try (var s = Files.walk(source)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    bytes += Files.size(p);
                }
            }
        }
        assertThat(r.bytesTested()).isEqualTo(bytes);
        assertThat(scratch).doesNotExist();
    }

    @Test
    void byteBudgetKeepsLargeFilesOut() throws Exception {
        buildSource();
        Snapshot sn = Fixtures.backup(repoDir, source);
        RestoreTestReport r;
        try (Repository repo = Fixtures.open(repoDir)) {
            r = RestoreTest.run(repo, sn, options(30, 64 << 10, 9));
        }
        assertThat(r.ok()).isTrue();
        assertThat(r.bytesTested()).isPositive().isLessThanOrEqualTo(64 << 10);
        assertThat(r.filesTested()).isBetween(1, 30);
        assertThat(r.filesMatchingSource()).isEqualTo(r.filesTested());
    }

    @Test
    void nonEmptyFilesArePreferred() throws Exception {
        Files.createDirectories(source);
        for (int i = 1; i <= 3; i++) {
            Files.writeString(source.resolve("full-" + i), "x".repeat(i));
        }
        for (int i = 1; i <= 5; i++) {
            Files.write(source.resolve("empty-" + i), new byte[0]);
        }
        Snapshot sn = Fixtures.backup(repoDir, source);
        try (Repository repo = Fixtures.open(repoDir)) {
            for (long seed = 1; seed <= 5; seed++) {
                RestoreTestReport three = RestoreTest.run(repo, sn, options(3, 1 << 20, seed));
                assertThat(three.ok()).isTrue();
                assertThat(three.filesTested()).isEqualTo(3);
                assertThat(three.bytesTested()).isEqualTo(1 + 2 + 3);
                RestoreTestReport five = RestoreTest.run(repo, sn, options(5, 1 << 20, seed));
                assertThat(five.ok()).isTrue();
                assertThat(five.filesTested()).isEqualTo(5);
                assertThat(five.bytesTested()).isEqualTo(1 + 2 + 3);
                assertThat(five.filesMatchingSource()).isEqualTo(5);
            }
        }
    }

    @Test
    void sourceModifiedAfterBackupIsNeitherMatchingNorAFailure() throws Exception {
        buildSource();
        Snapshot sn = Fixtures.backup(repoDir, source);
        Path changed = source.resolve("odd").resolve("accentué été.txt");
        Files.writeString(changed, "è"); // same size, new content, new mtime
        Files.setLastModifiedTime(changed, FileTime.fromMillis(System.currentTimeMillis() + 3_600_000));
        Files.delete(source.resolve("glob").resolve("a")); // gone: nothing to compare with either
        RestoreTestReport r;
        try (Repository repo = Fixtures.open(repoDir)) {
            r = RestoreTest.run(repo, sn, options(100_000, Long.MAX_VALUE, 3));
        }
        assertThat(r.failures()).isEmpty();
        assertThat(r.ok()).isTrue();
        assertThat(r.filesTested()).isEqualTo(r.filesInSnapshot());
        assertThat(r.filesMatchingSource()).isEqualTo(r.filesTested() - 2);
    }

    @Test
    void sourceWithSnapshotSizeAndMtimeButOtherContentIsAFailure() throws Exception {
        buildSource();
        Snapshot sn = Fixtures.backup(repoDir, source);
        Path changed = source.resolve("odd").resolve("accentué été.txt");
        FileStat st = FileSystemAccess.lstat(changed);
        Files.writeString(changed, "è", StandardCharsets.UTF_8);
        // as a program that restores the modification time after writing would leave it
        FileSystemAccess.restoreMetadata(changed, FileKind.FILE, st.mode(), st.uid(), st.gid(), st.atime(), st.mtime());
        assertThat(FileSystemAccess.lstat(changed).mtime()).isEqualTo(st.mtime());
        RestoreTestReport r;
        try (Repository repo = Fixtures.open(repoDir)) {
            r = RestoreTest.run(repo, sn, options(100_000, Long.MAX_VALUE, 4));
        }
        assertThat(r.ok()).isFalse();
        assertThat(r.failures()).singleElement().satisfies(f -> {
            assertThat(f.path()).isEqualTo(Fixtures.display(changed));
            assertThat(f.problem()).contains("differs from the source file");
        });
        assertThat(r.filesMatchingSource()).isEqualTo(r.filesTested() - 1);
        assertThat(scratch).doesNotExist();
    }

    @Test
    void scratchLeftByAnInterruptedRunIsDeletedAndAForeignOneIsNotTouched() throws Exception {
        Files.createDirectories(source);
        Files.writeString(source.resolve("note.txt"), "compte rendu");
        Snapshot sn = Fixtures.backup(repoDir, source);
        try (Repository repo = Fixtures.open(repoDir)) {
            // left by a run cut short: its marker says it is ours, the patient data in it goes
            Files.createDirectories(scratch.resolve("restore"));
            Files.createFile(scratch.resolve(Scratch.MARKER));
            Files.writeString(scratch.resolve("restore").resolve("old.txt"), "old restored data");
            RestoreTestReport r = RestoreTest.run(repo, sn, options(5, 1 << 20, 1));
            assertThat(r.ok()).isTrue();
            assertThat(r.filesTested()).isEqualTo(1);
            assertThat(r.filesMatchingSource()).isEqualTo(1);
            assertThat(scratch).doesNotExist();

            // a folder with someone else's files is refused and kept as it is
            Files.createDirectories(scratch);
            Path keep = scratch.resolve("keep.txt");
            Files.writeString(keep, "not ours");
            RestoreTestReport refused = RestoreTest.run(repo, sn, options(5, 1 << 20, 1));
            assertThat(refused.ok()).isFalse();
            assertThat(refused.failures()).singleElement().satisfies(f -> {
                assertThat(f.path()).isEqualTo(scratch.toString());
                assertThat(f.problem()).contains("refusing");
            });
            assertThat(keep).hasContent("not ours");
            assertThat(scratch).isDirectoryContaining(p -> FileNames.display(FileNames.nameBytes(p)).equals("keep.txt"));
        }
    }
}
