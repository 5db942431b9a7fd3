package eu.rempart.vault.restorer;

import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.restorer.RestoreOptions.Overwrite;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.testing.TestTrees;
import eu.rempart.vault.testing.TreeCompare;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A restore into a folder that already holds the files (restic's {@code --overwrite}): what is
 * already right is not written again, which is what lets a restore stopped midway, or a restore in
 * place after an attack, fetch only what is missing or wrong. File by file and pack by pack.
 */
class OverwriteTest {
    private static final List<String> NAMES = List.of("a.txt", "b.bin", "c.txt", "d.txt", "e.bin", "f.txt", "g.txt");

    @TempDir
    Path tmp;
    private Path src;
    private Snapshot snapshot;

    @BeforeEach
    void backUp() throws IOException {
        src = tmp.resolve("src");
        Files.createDirectories(src);
        Files.writeString(src.resolve("a.txt"), "ordonnance\n".repeat(300));
        TestTrees.writeRandom(src.resolve("b.bin"), 300_000, 1);
        Files.writeString(src.resolve("c.txt"), "compte rendu\n".repeat(200));
        Files.writeString(src.resolve("d.txt"), "devis\n".repeat(100));
        TestTrees.writeRandom(src.resolve("e.bin"), 2_500_000, 2); // several blobs
        Files.writeString(src.resolve("f.txt"), "facture 0001\n".repeat(100));
        Files.writeString(src.resolve("g.txt"), "grille 0001\n".repeat(100));
        snapshot = LocalVault.backUp(tmp.resolve("repo"), src);
    }

    @ParameterizedTest(name = "{0}, pack batch {1}")
    @CsvSource({"ALWAYS,0", "ALWAYS,50", "IF_CHANGED,0", "IF_CHANGED,50", "IF_NEWER,0", "IF_NEWER,50", "NEVER,0", "NEVER,50"})
    void whatIsAlreadyRightIsNotWrittenAgain(Overwrite mode, int packBatch) throws Exception {
        Path target = tmp.resolve("target");
        Path restored = target.resolve(src.toString().substring(1));
        try (Repository repo = LocalVault.open(tmp.resolve("repo"))) {
            RestoreOptions opts = new RestoreOptions(List.of(), false, 2);
            RestoreResult first = new Restorer(repo, opts, null, packBatch).restore(snapshot, target);
            assertThat(first.files()).isEqualTo(NAMES.size());
            assertThat(first.skippedFiles()).isZero();

            // b: one byte changed, its size and time as they were (only reading it tells)
            flipFirstByte(restored.resolve("b.bin"), true);
            // c: grown, and so newer
            Files.writeString(restored.resolve("c.txt"), "ajout\n", StandardOpenOption.APPEND);
            // d: deleted
            Files.delete(restored.resolve("d.txt"));
            // f: changed, with a time after the snapshot's; g: changed, with a time long before it
            Files.writeString(restored.resolve("f.txt"), "facture 0002\n".repeat(100));
            Files.setLastModifiedTime(restored.resolve("f.txt"), FileTime.from(Instant.now().plusSeconds(3600)));
            Files.writeString(restored.resolve("g.txt"), "grille 0002\n".repeat(100));
            Files.setLastModifiedTime(restored.resolve("g.txt"), FileTime.from(Instant.parse("2000-01-01T00:00:00Z")));

            RestoreResult again = new Restorer(repo, opts.withOverwrite(mode), null, packBatch).restore(snapshot, target);
            assertThat(again.errors()).isEmpty();
            Set<String> written = switch (mode) {
                case ALWAYS -> Set.of("b.bin", "c.txt", "d.txt", "f.txt", "g.txt");
                case IF_CHANGED -> Set.of("c.txt", "d.txt", "f.txt", "g.txt"); // b is taken as up to date
                case IF_NEWER -> Set.of("d.txt", "g.txt");
                case NEVER -> Set.of("d.txt");
            };
            Set<String> kept = new TreeSet<>(NAMES);
            kept.removeAll(written);
            assertThat(again.files()).isEqualTo(written.size());
            assertThat(again.bytes()).isEqualTo(size(written));
            assertThat(again.skippedFiles()).isEqualTo(kept.size());
            assertThat(again.skippedBytes()).isEqualTo(size(kept));

            Set<String> right = new TreeSet<>(written);
            right.addAll(Set.of("a.txt", "e.bin")); // never touched
            for (String name : NAMES) {
                boolean same = Arrays.equals(Files.readAllBytes(src.resolve(name)), Files.readAllBytes(restored.resolve(name)));
                assertThat(same).as("%s is the snapshot's after %s", name, mode).isEqualTo(right.contains(name));
            }
            if (mode == Overwrite.ALWAYS) {
                assertThat(TreeCompare.diff(src, restored)).isEmpty(); // content and times
            }
        }
    }

    private long size(Set<String> names) throws IOException {
        long n = 0;
        for (String name : names) {
            n += Files.size(src.resolve(name));
        }
        return n;
    }

    private static void flipFirstByte(Path p, boolean keepTime) throws IOException {
        FileTime t = Files.getLastModifiedTime(p);
        byte[] b = Files.readAllBytes(p);
        b[0] ^= 1;
        Files.write(p, b);
        if (keepTime) {
            Files.setLastModifiedTime(p, t);
        }
    }
}
