package eu.rempart.vault.restoretest;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.fs.FileNames;
import eu.rempart.vault.pack.PackedBlob;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.testing.PackFiles;
import eu.rempart.vault.testing.TestTrees;
import eu.rempart.vault.tree.Node;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** A damaged or missing pack is found and every file whose data it holds is named. */
class RestoreTestDamageTest {
    @TempDir
    Path tmp;
    Path source;
    Path repoDir;
    Path scratch;
    Snapshot sn;

    @BeforeEach
    void setUp() throws Exception {
        source = tmp.resolve("source");
        repoDir = tmp.resolve("repo");
        scratch = tmp.resolve("scratch");
        TestTrees.build(source, 23, 60, 2, 2 << 20);
        Fixtures.addGlobNames(source.resolve("glob"));
        sn = Fixtures.backup(repoDir, source);
    }

    /** Every file: the damaged ones are surely in the sample. */
    private RestoreTestReport runOnAllFiles() throws Exception {
        try (Repository repo = Fixtures.open(repoDir)) {
            return RestoreTest.run(repo, sn, new RestoreTestOptions(100_000, Long.MAX_VALUE, scratch, new SplittableRandom(2)));
        }
    }

    private Set<String> filesWith(Predicate<Id> blob) throws Exception {
        Set<String> out = new TreeSet<>();
        try (Repository repo = Fixtures.open(repoDir)) {
            for (Map.Entry<String, Node> e : Fixtures.files(repo, sn).entrySet()) {
                if (e.getValue().content().stream().anyMatch(blob)) {
                    out.add(e.getKey());
                }
            }
        }
        return out;
    }

    private PackedBlob firstBlobOf(Path file) throws Exception {
        try (Repository repo = Fixtures.open(repoDir)) {
            Node n = Fixtures.files(repo, sn).get(Fixtures.display(file));
            return repo.index().lookup(BlobType.DATA, n.content().get(0));
        }
    }

    /** Flips bytes in the middle of a blob's encrypted bytes, inside its pack. */
    private void corrupt(PackedBlob pb) throws Exception {
        Path pack = PackFiles.writable(repoDir, pb.packId());
        long at = pb.offset() + pb.length() / 2;
        for (int i = 0; i < 3 && at + i < pb.offset() + pb.length(); i++) {
            PackFiles.flip(pack, at + i, 0x5a);
        }
    }

    private void assertOthersVerified(RestoreTestReport r, int failed) {
        assertThat(r.ok()).isFalse();
        assertThat(r.filesTested()).isEqualTo(r.filesInSnapshot());
        assertThat(r.filesMatchingSource()).isEqualTo(r.filesTested() - failed);
        assertThat(scratch).doesNotExist();
    }

    @Test
    void corruptedPackIsReportedWithTheFilesItDamages() throws Exception {
        PackedBlob pb = firstBlobOf(source.resolve("images").resolve("xray-0.dcm"));
        corrupt(pb);
        Set<String> damaged = filesWith(pb.id()::equals);
        assertThat(damaged).contains(Fixtures.display(source.resolve("images").resolve("xray-0.dcm")));

        RestoreTestReport r = runOnAllFiles();
        assertThat(r.failures()).extracting(RestoreTestReport.Failure::path).containsExactlyInAnyOrderElementsOf(damaged);
        assertThat(r.failures()).allSatisfy(f -> assertThat(f.problem())
                .contains("pack " + pb.packId().shortHex())
                .contains("blob " + pb.id().shortHex())
                .contains("damaged pack"));
        assertOthersVerified(r, damaged.size());
    }

    @Test
    void corruptedBlobOfAFileRestoredBlobByBlobIsReported() throws Exception {
        // not UTF-8: no include pattern can select it, it is restored from its blobs
        Path bad = FileNames.resolve(source.resolve("odd"), new byte[] {'b', 'a', 'd', (byte) 0xe9, (byte) 0xff, '.', 't'});
        PackedBlob pb = firstBlobOf(bad);
        corrupt(pb);
        Set<String> damaged = filesWith(pb.id()::equals);
        assertThat(damaged).contains(Fixtures.display(bad));

        RestoreTestReport r = runOnAllFiles();
        assertThat(r.failures()).extracting(RestoreTestReport.Failure::path).containsExactlyInAnyOrderElementsOf(damaged);
        assertThat(r.failures()).allSatisfy(f -> assertThat(f.problem())
                .contains("pack " + pb.packId().shortHex())
                .contains("damaged pack"));
        assertOthersVerified(r, damaged.size());
    }

    @Test
    void missingPackIsReportedWithEveryFileWhoseDataItHeld() throws Exception {
        PackedBlob pb = firstBlobOf(source.resolve("images").resolve("xray-1.dcm"));
        Set<Id> inPack = new java.util.HashSet<>();
        try (Repository repo = Fixtures.open(repoDir)) {
            for (PackedBlob b : repo.index().all()) {
                if (b.packId().equals(pb.packId())) {
                    inPack.add(b.id());
                }
            }
        }
        Files.delete(PackFiles.writable(repoDir, pb.packId()));
        Set<String> lost = filesWith(inPack::contains);
        assertThat(lost).contains(Fixtures.display(source.resolve("images").resolve("xray-1.dcm")));

        RestoreTestReport r = runOnAllFiles();
        assertThat(r.failures()).extracting(RestoreTestReport.Failure::path).containsExactlyInAnyOrderElementsOf(lost);
        assertThat(r.failures()).allSatisfy(f -> assertThat(f.problem())
                .contains("pack " + pb.packId().shortHex())
                .contains("missing"));
        assertOthersVerified(r, lost.size());
    }

    @Test
    void damagedTreeIsReportedAndTheRestStillTested() throws Exception {
        Path glob = source.resolve("glob");
        PackedBlob pb;
        try (Repository repo = Fixtures.open(repoDir)) {
            Id globTree = subtree(repo, sn.tree(), glob.toAbsolutePath().normalize());
            pb = repo.index().lookup(BlobType.TREE, globTree);
        }
        corrupt(pb);

        RestoreTestReport r = runOnAllFiles();
        assertThat(r.failures()).singleElement().satisfies(f -> {
            assertThat(f.path()).isEqualTo(Fixtures.display(glob));
            assertThat(f.problem()).contains("tree " + pb.id().shortHex()).contains("damaged pack");
        });
        assertThat(r.filesInSnapshot()).isEqualTo(Fixtures.regularFiles(source) - Fixtures.GLOB_NAMES.size());
        assertThat(r.filesTested()).isEqualTo(r.filesInSnapshot());
        assertThat(r.filesMatchingSource()).isEqualTo(r.filesTested());
        assertThat(r.ok()).isFalse();
        assertThat(scratch).doesNotExist();
    }

    /** The tree id of the directory at absolute path {@code dir}. */
    private static Id subtree(Repository repo, Id root, Path dir) throws Exception {
        Id tree = root;
        for (Path part : dir) {
            byte[] name = FileNames.nameBytes(part);
            tree = eu.rempart.vault.tree.Tree.decode(repo.loadBlob(BlobType.TREE, tree)).stream()
                    .filter(n -> n.nameEquals(name)).findFirst().orElseThrow().subtree();
        }
        return tree;
    }
}
