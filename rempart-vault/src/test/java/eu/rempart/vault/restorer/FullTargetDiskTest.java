package eu.rempart.vault.restorer;

import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.testing.TestTrees;
import eu.rempart.vault.testing.Tmpfs;
import eu.rempart.vault.testing.TreeCompare;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A restore onto a disk too small for it stops with its reason, and leaves no file that is only
 * partly restored: a truncated X-ray under its own name would pass for the original. File by file
 * (a local repository) and pack by pack (a remote one).
 */
class FullTargetDiskTest {
    @TempDir
    Path tmp;
    private Path src;
    private Snapshot snapshot;

    @BeforeEach
    void backUp() throws IOException {
        src = tmp.resolve("src");
        Path small = src.resolve("a-letters");
        Files.createDirectories(small);
        for (int i = 0; i < 30; i++) {
            Files.writeString(small.resolve("letter-" + i + ".txt"), ("Rendez-vous n° " + i + "\n").repeat(50));
        }
        // Larger than the disk: it can never be complete there. Its second name is a hard link,
        // which a pack-by-pack restore makes before the content arrives.
        Path big = src.resolve("b-imaging");
        Files.createDirectories(big);
        TestTrees.writeRandom(big.resolve("xray.dcm"), 6 << 20, 9);
        Files.createLink(big.resolve("xray-link.dcm"), big.resolve("xray.dcm"));
        Files.createDirectories(src.resolve("c-after"));
        Files.writeString(src.resolve("c-after/note.txt"), "after the X-ray\n");
        snapshot = LocalVault.backUp(tmp.resolve("repo"), src);
    }

    @ParameterizedTest(name = "pack batch {0}")
    @ValueSource(ints = {0, 50})
    void onlyCompleteFilesAreLeftAndTheRestoreCanBeRunAgain(int packBatch) throws Exception {
        Path disk = tmp.resolve("small-disk");
        assumeTrue(Tmpfs.mount(disk, "4m"), "cannot mount a tmpfs (not root?)");
        try (Repository repo = LocalVault.open(tmp.resolve("repo"))) {
            Restorer restorer = new Restorer(repo, new RestoreOptions(List.of(), false, 2), null, packBatch);
            assertThatThrownBy(() -> restorer.restore(snapshot, disk.resolve("target")))
                    .isInstanceOf(IOException.class).hasMessageContaining("No space left on device");

            Path restored = disk.resolve("target").resolve(src.toString().substring(1));
            List<Path> left;
            try (Stream<Path> s = Files.walk(disk.resolve("target"))) {
                left = s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
            }
            for (Path p : left) {
                Path original = src.resolve(restored.relativize(p));
                assertThat(TreeCompare.sha(p)).as("%s is whole", p).isEqualTo(TreeCompare.sha(original));
            }
            assertThat(restored.resolve("b-imaging/xray.dcm")).doesNotExist();
            assertThat(restored.resolve("b-imaging/xray-link.dcm")).doesNotExist();
            // the X-ray, and in a pack-by-pack restore its second name too (a letter still being
            // written when the disk filled would be counted as well)
            assertThat(restorer.removedUnfinished()).isGreaterThanOrEqualTo(packBatch == 0 ? 1 : 2);

            Path elsewhere = tmp.resolve("bigger-disk");
            RestoreResult r = new Restorer(repo, new RestoreOptions(List.of(), false, 2), null, packBatch)
                    .restore(snapshot, elsewhere);
            assertThat(r.errors()).isEmpty();
            assertThat(TreeCompare.diff(src, elsewhere.resolve(src.toString().substring(1)))).isEmpty();
        } finally {
            Tmpfs.unmount(disk);
        }
    }
}
