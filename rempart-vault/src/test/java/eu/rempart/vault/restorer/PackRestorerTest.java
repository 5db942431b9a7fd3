package eu.rempart.vault.restorer;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.archiver.Archiver;
import eu.rempart.vault.archiver.BackupOptions;
import eu.rempart.vault.archiver.BackupResult;
import eu.rempart.vault.backend.rest.RestBackend;
import eu.rempart.vault.chunker.Polynomial;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.pack.PackedBlob;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.server.RestServer;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.testing.LoopbackRest;
import eu.rempart.vault.testing.PackFiles;
import eu.rempart.vault.testing.TestTrees;
import eu.rempart.vault.testing.Tmpfs;
import eu.rempart.vault.testing.TreeCompare;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.Tree;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Pack-wise restores from a real REST server on 127.0.0.1: every file byte-identical with its
 * metadata, over many small batches, with blobs that several files (or one file twice) hold; and a
 * damaged pack costs only the files whose blobs it held.
 */
class PackRestorerTest {
    private static final char[] PASSWORD = "pack restore test".toCharArray();

    @TempDir
    Path tmp;
    private RestServer server;
    private Path src;
    private Snapshot snapshot;

    @BeforeEach
    void backUpThroughTheServer() throws IOException {
        server = LoopbackRest.start(tmp.resolve("served"), null);
        src = tmp.resolve("src");
        TestTrees.build(src, 7, 300, 3, 3 << 20);
        // The same content in two files, and one 3 MiB block four times in a file: their blobs
        // are planned once and written to every place that holds them.
        Files.copy(src.resolve("images/xray-0.dcm"), src.resolve("images/copy-of-xray-0.dcm"));
        byte[] block = new byte[3 << 20];
        new Random(3).nextBytes(block);
        try (var out = Files.newOutputStream(src.resolve("images/repeated.raw"))) {
            for (int i = 0; i < 4; i++) {
                out.write(block);
            }
        }
        // A fixed polynomial (restic's tests' own), so the chunk boundaries, and the repeated
        // blobs, do not depend on a random one.
        try (Repository repo = Repository.init(backend(), PASSWORD, KdfParams.forTests(),
                Polynomial.parse("3DA3358B4DC173"), "test", "host")) {
            BackupResult r = new Archiver(repo, BackupOptions.defaults("host", "test"), null).backup(List.of(src), null);
            assertThat(r.summary().errors()).isEmpty();
            snapshot = r.snapshot();
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RestBackend backend() throws IOException {
        return LoopbackRest.backend(server, "repo");
    }

    private Repository open() throws IOException {
        Repository repo = Repository.open(backend(), PASSWORD);
        repo.loadIndex();
        return repo;
    }

    private Path restored(Path target) {
        return target.resolve(src.toString().substring(1));
    }

    @Test
    void everyFileComesBackByteIdenticalOverManyBatches() throws IOException {
        try (Repository repo = open()) {
            List<Id> repeated = fileNode(repo, "images", "repeated.raw").content();
            assertThat(new HashSet<>(repeated)).as("the repeated block makes repeated blobs").hasSizeLessThan(repeated.size());

            Path target = tmp.resolve("target");
            // 50 blob places per batch: the 300-odd files take several batches.
            RestoreResult r = new Restorer(repo, new RestoreOptions(List.of(), true, 3), null, 50)
                    .restore(snapshot, target);
            assertThat(r.errors()).isEmpty();
            assertThat(r.files()).isGreaterThan(300);
            assertThat(r.verifiedFiles()).as("all but the hard link's second name").isEqualTo(r.files() - 1);
            assertThat(TreeCompare.diff(src, restored(target))).isEmpty();
        }
    }

    @Test
    void theDefaultRestorerOfARemoteRepositoryGoesPackByPack() throws IOException {
        try (Repository repo = open()) {
            Path target = tmp.resolve("target");
            RestoreResult r = new Restorer(repo, RestoreOptions.defaults(), null).restore(snapshot, target);
            assertThat(r.errors()).isEmpty();
            assertThat(TreeCompare.diff(src, restored(target))).isEmpty();
        }
    }

    @Test
    void aDamagedPackCostsOnlyTheFilesItHeld() throws IOException {
        Set<String> hit;
        try (Repository repo = open()) {
            // Damage the pack of one image's first blob, in the middle of that blob.
            PackedBlob pb = repo.index().lookup(BlobType.DATA, fileNode(repo, "images", "xray-1.dcm").content().get(0));
            PackFiles.flip(PackFiles.writable(tmp.resolve("served/repo"), pb.packId()), pb.offset() + pb.length() / 2, 0x5a);
            hit = filesUsingBlob(repo, pb.id());
        }
        try (Repository repo = open()) {
            Path target = tmp.resolve("target");
            RestoreResult r = new Restorer(repo, new RestoreOptions(List.of(), false, 2), null, 50)
                    .restore(snapshot, target);
            assertThat(hit).contains("xray-1.dcm");
            assertThat(r.errors()).hasSize(hit.size())
                    .allSatisfy(e -> assertThat(e.message()).contains("damaged pack"));
            assertThat(r.errors().stream().map(e -> Path.of(e.path()).getFileName().toString())).containsExactlyInAnyOrderElementsOf(hit);
            // Everything else is intact.
            List<String> diff = TreeCompare.diff(src, restored(target));
            assertThat(diff).isNotEmpty().allSatisfy(line -> assertThat(hit.stream().anyMatch(line::contains)).as(line).isTrue());
        }
    }

    @Test
    void aMissingPackIsNamedAsSuchForTheFilesItHeld() throws IOException {
        PackedBlob pb;
        try (Repository repo = open()) {
            pb = repo.index().lookup(BlobType.DATA, fileNode(repo, "images", "xray-1.dcm").content().get(0));
        }
        java.nio.file.Files.delete(PackFiles.path(tmp.resolve("served/repo"), pb.packId()));
        try (Repository repo = open()) {
            Path target = tmp.resolve("target");
            RestoreResult r = new Restorer(repo, new RestoreOptions(List.of(), false, 2), null, 50)
                    .restore(snapshot, target);
            String pack = pb.packId().shortHex();
            // not "removed during backup", which a missing file meant before: the pack is named
            assertThat(r.errors()).isNotEmpty().allSatisfy(e -> {
                assertThat(e.message()).isEqualTo("pack " + pack + " is missing from the repository");
                assertThat(e.vaultProblem()).isEqualTo(eu.rempart.vault.VaultException.Problem.PACK_MISSING);
                assertThat(e.args()).containsExactly(pack);
            });
            Set<String> failed = new HashSet<>();
            r.errors().forEach(e -> failed.add(Path.of(e.path()).getFileName().toString()));
            assertThat(failed).contains("xray-1.dcm");
            // the rest is intact (a hard link shares its failed twin's inode)
            boolean twin = failed.stream().anyMatch(f -> f.startsWith("hard-"));
            List<String> diff = TreeCompare.diff(src, restored(target));
            assertThat(diff).isNotEmpty().allSatisfy(line -> assertThat(failed.stream().anyMatch(line::contains)
                    || twin && line.contains("/odd/hard-")).as(line).isTrue());
        }
    }

    /**
     * A large blob reaches its places a segment at a time, before its MAC is checked. Damaged at
     * its very end, its plaintext is right but for one byte, so the files it went to would look
     * almost right: they are cut where the blob starts, and nothing of it stays on disk.
     */
    @Test
    void aDamagedLargeBlobLeavesNothingOfItselfInItsFiles() throws IOException {
        PackedBlob victim;
        List<Long> places = new java.util.ArrayList<>(); // where the blob lies in the file
        try (Repository repo = open()) {
            List<Id> content = fileNode(repo, "images", "repeated.raw").content();
            victim = content.stream().map(id -> repo.index().lookup(BlobType.DATA, id))
                    .filter(pb -> !pb.compressed() && pb.length() > (1 << 20) + 100_000)
                    .findFirst().orElseThrow();
            long at = 0;
            for (Id id : content) {
                if (id.equals(victim.id())) {
                    places.add(at);
                }
                at += repo.index().lookup(BlobType.DATA, id).plaintextLength(eu.rempart.vault.crypto.MasterKey.OVERHEAD);
            }
            // In the last ciphertext bytes.
            PackFiles.flip(PackFiles.writable(tmp.resolve("served/repo"), victim.packId()),
                    victim.offset() + victim.length() - 20, 0x01);
        }
        int plain = victim.plaintextLength(eu.rempart.vault.crypto.MasterKey.OVERHEAD);
        try (Repository repo = open()) {
            Path target = tmp.resolve("target");
            RestoreResult r = new Restorer(repo, new RestoreOptions(List.of(), false, 2), null, 50)
                    .restore(snapshot, target);
            assertThat(r.errors()).anySatisfy(e -> {
                assertThat(e.path()).endsWith("repeated.raw");
                assertThat(e.message()).contains("damaged pack");
            });
            byte[] got = Files.readAllBytes(restored(target).resolve("images/repeated.raw"));
            // Cut where the blob first starts; a later blob written meanwhile leaves a hole (zeros).
            for (long at : places) {
                for (long i = at; i < Math.min(at + plain, got.length); i++) {
                    assertThat(got[(int) i]).as("byte %d", i).isZero();
                }
            }
        }
    }

    @Test
    void aFullTargetDiskStopsTheRestoreWithItsReason() throws Exception {
        Path small = tmp.resolve("small-disk");
        assumeTrue(Tmpfs.mount(small, "4m"), "cannot mount a tmpfs (not root?)");
        try (Repository repo = open()) {
            Restorer restorer = new Restorer(repo, new RestoreOptions(List.of(), false, 3), null, 50);
            assertThatThrownBy(() -> restorer.restore(snapshot, small.resolve("target")))
                    .isInstanceOf(IOException.class).hasMessageContaining("No space left on device");
            // Its workers have stopped and closed their files (the tmpfs could not be unmounted
            // while one was still writing). The pool's last thread may still be on its way out of
            // the executor when the restore returns (it is the one that marks the pool
            // terminated), so each is given a moment to end.
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().equals("rempart-restore")) {
                    t.join(10_000);
                    assertThat(t.isAlive()).as("restore worker still running").isFalse();
                }
            }
        } finally {
            Tmpfs.unmount(small);
        }
    }

    private Node fileNode(Repository repo, String dir, String name) throws IOException {
        Id tree = snapshot.tree();
        for (String comp : (src.toString().substring(1) + "/" + dir).split("/")) {
            tree = child(repo, tree, comp).subtree();
        }
        return child(repo, tree, name);
    }

    private static Node child(Repository repo, Id tree, String name) throws IOException {
        return Tree.decode(repo.loadBlob(BlobType.TREE, tree)).stream()
                .filter(n -> n.displayName().equals(name)).findFirst().orElseThrow();
    }

    /** Names of the files of the "images" folder holding the blob. */
    private Set<String> filesUsingBlob(Repository repo, Id blob) throws IOException {
        Set<String> out = new HashSet<>();
        Id tree = snapshot.tree();
        for (String comp : (src.toString().substring(1) + "/images").split("/")) {
            tree = child(repo, tree, comp).subtree();
        }
        for (Node n : Tree.decode(repo.loadBlob(BlobType.TREE, tree))) {
            if (n.content() != null && n.content().contains(blob)) {
                out.add(n.displayName());
            }
        }
        return out;
    }
}
