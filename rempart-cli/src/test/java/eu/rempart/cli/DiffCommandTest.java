package eu.rempart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.testing.PackFiles;
import eu.rempart.vault.testing.Restic;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code diff} prints and counts what restic 0.14's prints and counts for the same two snapshots. */
class DiffCommandTest {
    static final String PASSWORD = "diff pässword";

    @TempDir
    Path tmp;
    Path src;
    SharedRepository repo;
    String first;
    String second;

    @BeforeEach
    void setUp() throws IOException {
        repo = SharedRepository.init(tmp.resolve("repo"), PASSWORD);
        src = tmp.resolve("src");

        byte[] shared = new byte[700_000];
        new Random(5).nextBytes(shared);
        Files.createDirectories(src.resolve("keep"));
        Files.write(src.resolve("keep/shared.bin"), shared);
        Files.writeString(src.resolve("a.txt"), "version 1\n");
        Files.createDirectories(src.resolve("gone/deeper"));
        Files.writeString(src.resolve("gone/g1.txt"), "soon gone\n");
        Files.writeString(src.resolve("gone/deeper/g2.txt"), "also gone\n");
        Files.createSymbolicLink(src.resolve("link"), Path.of("a.txt"));
        Files.writeString(src.resolve("becomes-dir"), "a file first\n");
        Files.writeString(src.resolve("touched.txt"), "same bytes\n");
        first = backup();

        Files.writeString(src.resolve("a.txt"), "version 2, longer\n");
        deleteTree(src.resolve("gone"));
        Files.createDirectories(src.resolve("new/inner"));
        // The same bytes as keep/shared.bin, which both snapshots share: no new data blob.
        Files.write(src.resolve("new/copy.bin"), shared);
        Files.writeString(src.resolve("new/inner/n.txt"), "brand new\n");
        Files.delete(src.resolve("link"));
        Files.createSymbolicLink(src.resolve("link2"), Path.of("new"));
        Files.delete(src.resolve("becomes-dir"));
        Files.createDirectories(src.resolve("becomes-dir"));
        Files.writeString(src.resolve("becomes-dir/inside.txt"), "now a folder\n");
        Files.setLastModifiedTime(src.resolve("touched.txt"), FileTime.fromMillis(1_000_000_000_000L));
        second = backup();
    }

    private String backup() throws IOException {
        return repo.ok("backup", "--json", src.toString()).snapshotId();
    }

    private static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted((x, y) -> y.getNameCount() - x.getNameCount()).toList()) {
                Files.delete(q);
            }
        }
    }

    private List<JsonNode> resticJson(String... args) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : repo.restic().run(args).assertOk().out().split("\n")) {
            if (!line.isBlank()) {
                out.add(Cli.JSON.readTree(line));
            }
        }
        return out;
    }

    /** Both tools' --json output for the same arguments: the same change lines, the same statistics. */
    private void assertSameAsRestic(String... args) throws Exception {
        List<String> full = new ArrayList<>(List.of("diff", "--json"));
        full.addAll(List.of(args));
        List<JsonNode> mine = repo.ok(full.toArray(String[]::new)).jsonLines();
        List<JsonNode> theirs = resticJson(full.toArray(String[]::new));
        assertThat(mine).as("diff %s", List.of(args)).containsExactlyInAnyOrderElementsOf(theirs);
    }

    @Test
    void changesAndStatisticsAreRestics() throws Exception {
        assertSameAsRestic(first, second);
        assertSameAsRestic(second, first);
        assertSameAsRestic("--metadata", first, second);
        assertSameAsRestic(first, first);

        List<JsonNode> lines = repo.ok("diff", "--json", first, second).jsonLines();
        JsonNode stats = lines.get(lines.size() - 1);
        assertThat(stats.path("message_type").asText()).isEqualTo("statistics");
        assertThat(stats.path("changed_files").asLong()).isEqualTo(1);
        // new/, new/copy.bin, new/inner/, new/inner/n.txt and link2; a file that became a folder is one
        // T line, its contents not listed (restic's rule)
        assertThat(stats.path("added").path("files").asLong()).isEqualTo(2);
        assertThat(stats.path("added").path("dirs").asLong()).isEqualTo(2);
        assertThat(stats.path("added").path("others").asLong()).isEqualTo(1);
        // the copy's bytes are stored already: only small blobs are new
        assertThat(stats.path("added").path("bytes").asLong()).isLessThan(100_000);
        assertThat(stats.path("removed").path("files").asLong()).isEqualTo(2);
        assertThat(stats.path("removed").path("dirs").asLong()).isEqualTo(2);
        assertThat(lines).anySatisfy(c -> {
            assertThat(c.path("path").asText()).isEqualTo(src.resolve("becomes-dir") + "/");
            assertThat(c.path("modifier").asText()).isEqualTo("T");
        });
    }

    /**
     * A data blob the index lacks (its pack lost, the index rebuilt): restic counts the blob without
     * its size and warns; so does Rempart, in the user's language, and the statistics stay restic's.
     */
    @Test
    void aBlobMissingFromTheIndexIsCountedWithoutItsSizeAndWarnedOf() throws Exception {
        Id blob = Id.hash("brand new\n".getBytes(StandardCharsets.UTF_8));
        try (Repository opened = Repository.open(new LocalBackend(repo.dir()), PASSWORD.toCharArray())) {
            opened.loadIndex();
            Path pack = PackFiles.path(repo.dir(), opened.index().lookup(BlobType.DATA, blob).packId());
            Files.delete(pack);
        }
        repo.ok("repair", "index");

        assertSameAsRestic(first, second);
        Restic.Result theirs = repo.restic().run("diff", first, second).assertOk();
        assertThat(theirs.err()).contains("unable to find blob size for").contains(blob.toHex().substring(0, 8));
        CommandRun fr = repo.ok("diff", first, second);
        assertThat(fr.err()).contains("attention : le blob " + blob.toHex() + " (data) manque à l’index");
        CommandRun en = repo.ok("--lang", "en", "diff", "--json", first, second);
        assertThat(en.err()).contains("warning: data blob " + blob.toHex() + " is missing from the index");
    }

    @Test
    void textReportInBothLanguages() throws IOException {
        String fr = repo.ok("diff", first, second).out();
        assertThat(fr).contains("M    " + src.resolve("a.txt"))
                .contains("-    " + src.resolve("gone/deeper/g2.txt"))
                .contains("+    " + src.resolve("new/inner") + "/")
                .doesNotContain("inside.txt")
                .contains("Fichiers :        2 nouveaux, 2 supprimés, 1 modifié")
                .contains("Dossiers :        2 nouveaux, 2 supprimés")
                .contains("Autres :          1 nouveau, 1 supprimé");
        String en = repo.ok("--lang", "en", "diff", first, second).out();
        assertThat(en).contains("Files:       2 new, 2 removed, 1 changed")
                .contains("Others:      1 new, 1 removed")
                .contains("  Added:   ").contains("  Removed: ");
        assertThat(repo.ok("--quiet", "diff", first, second).out()).isEmpty();
    }
}
