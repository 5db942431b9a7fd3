package eu.rempart.vault.repository;

import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.archiver.Archiver;
import eu.rempart.vault.archiver.BackupOptions;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.checker.CheckOptions;
import eu.rempart.vault.checker.CheckResult;
import eu.rempart.vault.checker.Checker;
import eu.rempart.vault.checker.Finding;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.prune.PruneOptions;
import eu.rempart.vault.prune.PruneProgress;
import eu.rempart.vault.prune.Pruner;
import eu.rempart.vault.restorer.RestoreOptions;
import eu.rempart.vault.restorer.Restorer;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import eu.rempart.vault.testing.PackFiles;
import eu.rempart.vault.testing.Restic;
import eu.rempart.vault.testing.TestTrees;
import eu.rempart.vault.testing.TreeCompare;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One damaged index or snapshot file (a bad sector, a half-encrypted share) must not stop every
 * later backup and restore: it is worked around, named, and refused only where it could cost data.
 */
class DamagedFilesTest {
    static final String PASSWORD = "damaged files test password";

    @TempDir
    static Path tmp;
    static Path src;

    @BeforeAll
    static void source() throws Exception {
        assumeTrue(Restic.available(), "restic binary not installed");
        src = tmp.resolve("src");
        TestTrees.build(src, 11, 300, 3, 1 << 20);
    }

    static Repository open(Path dir) throws Exception {
        return Repository.open(new LocalBackend(dir), PASSWORD.toCharArray());
    }

    static Path init(String name) throws Exception {
        Path dir = tmp.resolve(name);
        Repository.init(new LocalBackend(dir), PASSWORD.toCharArray(), KdfParams.forTests(), null, "test", "host").close();
        return dir;
    }

    static Snapshot backUp(Path dir) throws Exception {
        try (Repository repo = open(dir)) {
            repo.loadIndex();
            repo.setPackSize(512 * 1024); // several packs
            Snapshot parent = Snapshots.list(repo).parentFor("host", List.of(src.toString()));
            return new Archiver(repo, BackupOptions.defaults("host", "test"), null).backup(List.of(src), parent).snapshot();
        }
    }

    static Set<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return new HashSet<>(s.toList());
        }
    }

    static CheckResult check(Path dir) throws Exception {
        try (Repository repo = open(dir)) {
            return new Checker(repo, null).check(new CheckOptions(true, null));
        }
    }

    static void damage(Path file) throws Exception {
        file.toFile().setWritable(true);
        PackFiles.flip(file, 40, 0x10);
    }

    @Test
    void aDamagedIndexFileIsReplacedByThePackHeaders() throws Exception {
        Path dir = init("index");
        backUp(dir);
        Set<Path> firstIndex = files(dir.resolve("index"));
        TestTrees.writeRandom(src.resolve("added-1.bin"), 700_000, 1);
        Snapshot second = backUp(dir);
        Path victim = firstIndex.iterator().next();
        Id victimId = Id.parse(victim.getFileName().toString());
        damage(victim);

        try (Repository repo = open(dir)) {
            repo.loadIndex();
            Repository.IndexRecovery rec = repo.indexRecovery().orElseThrow();
            assertThat(rec.damagedFiles()).containsExactly(victimId);
            assertThat(rec.packsRead()).isGreaterThan(1);
            assertThat(rec.packsUnreadable()).isEmpty();
            // everything the damaged file listed is found: the snapshot, which shares it all, restores whole
            Path target = tmp.resolve("index-restored");
            assertThat(new Restorer(repo, new RestoreOptions(List.of(), true, 2), null).restore(second, target).errors())
                    .isEmpty();
            assertThat(TreeCompare.diff(src, target.resolve(src.toString().substring(1)))).isEmpty();
        }

        // check names the file, and nothing else: the blobs it listed are all there
        CheckResult found = check(dir);
        assertThat(found.errors()).extracting(Finding::kind).containsExactly(Finding.Kind.INDEX_DAMAGED);
        assertThat(found.errors().get(0).toString()).contains(victimId.toHex()).contains("rempart repair index");

        // prune cannot tell which packs the damaged file listed: it refuses, and deletes nothing
        Set<Path> packsBefore = packFiles(dir);
        try (Repository repo = open(dir)) {
            assertThatThrownBy(() -> Pruner.plan(repo, PruneOptions.DEFAULTS, PruneProgress.NONE))
                    .isInstanceOfSatisfying(VaultException.class, e -> {
                        assertThat(e.problem()).isEqualTo(VaultException.Problem.FILE_DAMAGED);
                        assertThat(e.subject()).isEqualTo("index/" + victimId.shortHex());
                    });
        }
        assertThat(packFiles(dir)).isEqualTo(packsBefore);

        // a backup on top indexes the recovered packs with what it stores: without the damaged
        // file, the repository is whole for restic too
        TestTrees.writeRandom(src.resolve("added-2.bin"), 700_000, 2);
        backUp(dir);
        Files.delete(victim);
        assertThat(check(dir).errors()).isEmpty();
        assertThat(new Restic(dir, PASSWORD).run("check", "--read-data").assertOk().out()).contains("no errors were found");
    }

    @Test
    void aDamagedSnapshotFileIsLeftOutNamedAndRemovable() throws Exception {
        Path dir = init("snapshot");
        Snapshot first = backUp(dir);
        TestTrees.writeRandom(src.resolve("added-3.bin"), 300_000, 3);
        Snapshot second = backUp(dir);
        damage(dir.resolve("snapshots").resolve(second.id().toHex()));

        try (Repository repo = open(dir)) {
            repo.loadIndex();
            Snapshots.Listing l = Snapshots.list(repo);
            assertThat(l.snapshots()).extracting(Snapshot::id).containsExactly(first.id());
            assertThat(l.unreadable()).extracting(Snapshots.Unreadable::id).containsExactly(second.id());
            assertThat(l.find("latest", s -> true).id()).isEqualTo(first.id());
            assertThat(l.parentFor("host", List.of(src.toString())).id()).isEqualTo(first.id());
            assertThat(l.unreadableMatching(second.id().shortHex())).containsExactly(second.id());
            assertThatThrownBy(() -> l.find(second.id().shortHex(), s -> true))
                    .isInstanceOfSatisfying(VaultException.class, e -> {
                        assertThat(e.problem()).isEqualTo(VaultException.Problem.SNAPSHOT_DAMAGED);
                        assertThat(e.subject()).isEqualTo(second.id().shortHex());
                    });
            // prune cannot tell what the damaged snapshot needs: it refuses
            assertThatThrownBy(() -> Pruner.plan(repo, PruneOptions.DEFAULTS, PruneProgress.NONE))
                    .isInstanceOfSatisfying(VaultException.class,
                            e -> assertThat(e.problem()).isEqualTo(VaultException.Problem.SNAPSHOT_DAMAGED));
        }
        CheckResult found = check(dir);
        assertThat(found.errors()).extracting(Finding::kind).containsExactly(Finding.Kind.SNAPSHOT_DAMAGED);
        assertThat(found.errors().get(0).args()).containsExactly(second.id().toHex());

        // the next backup takes the readable one as its parent and is whole
        Snapshot third = backUp(dir);
        assertThat(third.parent()).isEqualTo(first.id());
        Files.delete(dir.resolve("snapshots").resolve(second.id().toHex()));
        assertThat(check(dir).errors()).isEmpty();
        assertThat(new Restic(dir, PASSWORD).run("check", "--read-data").assertOk().out()).contains("no errors were found");
    }

    static Set<Path> packFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir.resolve("data"))) {
            return new HashSet<>(s.filter(Files::isRegularFile).toList());
        }
    }
}
