package eu.rempart.vault.restorer;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.checker.CheckOptions;
import eu.rempart.vault.checker.CheckResult;
import eu.rempart.vault.checker.Checker;
import eu.rempart.vault.pack.PackedBlob;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.testing.PackFiles;
import eu.rempart.vault.testing.TreeCompare;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.Tree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * From a local repository, a file's large blobs reach it a segment at a time, before their MAC is
 * known. A damaged one must not leave its unauthenticated bytes behind: the file keeps only the
 * blobs verified before it, the error names the pack, and check --read-data names the blob.
 */
class LocalRestoreDamageTest {
    @TempDir
    Path tmp;

    @Test
    void aDamagedLargeBlobLeavesOnlyTheVerifiedStartOfItsFile() throws Exception {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        byte[] image = new byte[24 << 20]; // an X-ray: incompressible, cut into chunks of about 1 MiB
        new Random(5).nextBytes(image);
        Files.write(src.resolve("xray.dcm"), image);
        Files.writeString(src.resolve("letter.txt"), "Rendez-vous confirmé.\n".repeat(1000));
        Path dir = tmp.resolve("repo");
        Snapshot sn = LocalVault.backUp(dir, src);

        PackedBlob victim;
        long before = 0; // the plaintext bytes of the file's blobs ahead of the victim
        try (Repository repo = LocalVault.open(dir)) {
            // The first blob after the first that is stored uncompressed and spans several segments.
            List<Id> content = fileNode(repo, sn, src, "xray.dcm").content();
            int k = 1;
            while (true) {
                PackedBlob pb = repo.index().lookup(BlobType.DATA, content.get(k));
                if (!pb.compressed() && pb.length() > (1 << 20) + 100_000) {
                    victim = pb;
                    break;
                }
                k++;
            }
            for (Id id : content.subList(0, k)) {
                before += repo.loadBlob(BlobType.DATA, id).length;
            }
        }
        // In the blob's last segment.
        PackFiles.flip(PackFiles.writable(dir, victim.packId()), victim.offset() + victim.length() - 100, 1);

        try (Repository repo = LocalVault.open(dir)) {
            Path target = tmp.resolve("target");
            RestoreResult r = new Restorer(repo, RestoreOptions.defaults(), null).restore(sn, target);
            assertThat(r.errors()).singleElement().satisfies(e -> {
                assertThat(e.path()).endsWith("xray.dcm");
                assertThat(e.message()).contains("pack " + victim.packId().shortHex()).contains("damaged pack");
                // what a front end needs to say it in its reader's language
                assertThat(e.vaultProblem()).isEqualTo(eu.rempart.vault.VaultException.Problem.BLOB_UNAUTHENTIC);
                assertThat(e.args()).containsExactly(victim.packId().shortHex(), "data", victim.id().shortHex());
            });
            Path restored = target.resolve(src.toString().substring(1));
            byte[] got = Files.readAllBytes(restored.resolve("xray.dcm"));
            assertThat(got.length).as("only the blobs verified before the damaged one").isEqualTo(before);
            assertThat(Arrays.equals(got, 0, got.length, image, 0, got.length)).isTrue();
            assertThat(TreeCompare.sha(restored.resolve("letter.txt"))).isEqualTo(TreeCompare.sha(src.resolve("letter.txt")));

            CheckResult c = new Checker(repo, null).check(new CheckOptions(true, null));
            assertThat(c.errors()).anySatisfy(e -> assertThat(e.toString()).contains("pack " + victim.packId().toHex())
                    .contains("data blob " + victim.id().toHex()).contains("failed authentication"));
            assertThat(c.errors()).anySatisfy(e -> assertThat(e.toString()).contains("content does not match its name"));
        }
    }

    private static Node fileNode(Repository repo, Snapshot sn, Path src, String name) throws Exception {
        Id tree = sn.tree();
        for (String comp : src.toString().substring(1).split("/")) {
            tree = child(repo, tree, comp).subtree();
        }
        return child(repo, tree, name);
    }

    private static Node child(Repository repo, Id tree, String name) throws Exception {
        return Tree.decode(repo.loadBlob(BlobType.TREE, tree)).stream()
                .filter(n -> n.displayName().equals(name)).findFirst().orElseThrow();
    }
}
