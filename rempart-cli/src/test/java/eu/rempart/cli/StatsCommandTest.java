package eu.rempart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code stats}, in each of its four modes, says what restic 0.14's says about the same snapshots. */
class StatsCommandTest {
    static final String PASSWORD = "stats pässword";
    static final List<String> MODES = List.of("restore-size", "files-by-contents", "blobs-per-file", "raw-data");

    @TempDir
    Path tmp;
    SharedRepository repo;
    String first;

    @BeforeEach
    void setUp() throws Exception {
        repo = SharedRepository.init(tmp.resolve("repo"), PASSWORD);
        Path src = tmp.resolve("src");

        Random rnd = new Random(11);
        byte[] image = new byte[300_000];
        rnd.nextBytes(image);
        // above the largest chunk (8 MiB): several chunks whatever the repository's random polynomial
        byte[] scan = new byte[9_000_000];
        rnd.nextBytes(scan);
        Files.createDirectories(src.resolve("radios"));
        Files.write(src.resolve("image.bin"), image);
        Files.write(src.resolve("image-copy.bin"), image);
        Files.writeString(src.resolve("letter.txt"), "Cher confrère, ".repeat(20_000)); // compresses well
        Files.createLink(src.resolve("letter-link.txt"), src.resolve("letter.txt"));
        Files.createFile(src.resolve("empty.txt"));
        Files.write(src.resolve("radios/scan.bin"), scan);
        Files.createSymbolicLink(src.resolve("latest-scan"), Path.of("radios/scan.bin"));
        first = repo.ok("backup", "--json", src.toString()).snapshotId();

        image[0] ^= 1;
        Files.write(src.resolve("image.bin"), image);
        Files.write(src.resolve("radios/scan-again.bin"), scan);
        repo.ok("backup", "--json", src.toString());
        // restic's own uncompressed backup of the same folder, next to Rempart's
        repo.restic().run("backup", "--compression", "off", src.toString()).assertOk();
    }

    private void assertSameAsRestic(String... args) throws Exception {
        List<String> full = new ArrayList<>(List.of("stats", "--json"));
        full.addAll(List.of(args));
        JsonNode mine = repo.ok(full.toArray(String[]::new)).json();
        JsonNode theirs = Cli.JSON.readTree(repo.restic().run(full.toArray(String[]::new)).assertOk().out());
        if (args.length > 1 && args[1].equals("raw-data")) {
            // restic 0.14 has no compression figures: everything it prints must be the same
            theirs.fieldNames().forEachRemaining(f -> assertThat(mine.get(f)).as("%s %s", List.of(args), f)
                    .isEqualTo(theirs.get(f)));
            assertThat(mine.path("total_uncompressed_size").asLong()).isGreaterThan(mine.path("total_size").asLong());
        } else {
            assertThat(mine).as("stats %s", List.of(args)).isEqualTo(theirs);
        }
    }

    @Test
    void everyModeCountsAsRestic() throws Exception {
        for (String mode : MODES) {
            assertSameAsRestic("--mode", mode);
            assertSameAsRestic("--mode", mode, first);
            assertSameAsRestic("--mode", mode, "latest");
        }
        assertSameAsRestic();
    }

    @Test
    void figuresAreWhatTheFilesSay() throws IOException {
        JsonNode byContents = repo.ok("stats", "--json", "--mode", "files-by-contents", first).json();
        // image (and its copy), letter (and its hard link), scan, and one "file" for all nodes without
        // content: the empty file, the folders and the link
        assertThat(byContents.path("total_file_count").asLong()).isEqualTo(4);
        assertThat(byContents.path("total_size").asLong()).isEqualTo(300_000 + 16L * 20_000 + 9_000_000);
        JsonNode perFile = repo.ok("stats", "--json", "--mode", "blobs-per-file", first).json();
        assertThat(perFile.path("total_file_count").asLong()).isEqualTo(3);
        assertThat(perFile.path("total_size").asLong()).isEqualTo(300_000 + 16L * 20_000 + 9_000_000);
        assertThat(perFile.path("total_blob_count").asLong()).isGreaterThan(3);
        JsonNode raw = repo.ok("stats", "--json", "--mode", "raw-data").json();
        assertThat(raw.path("compression_ratio").asDouble()).isGreaterThan(1);
        assertThat(raw.path("compression_progress").asDouble()).isBetween(0.0, 100.0);

        assertThat(repo.ok("stats", "--mode", "blobs-per-file", first).out())
                .contains("Statistiques en mode blobs-per-file").contains("Nombre de fichiers :     3");
        assertThat(repo.ok("--lang", "en", "stats", "--mode", "raw-data").out())
                .contains("Stats in raw-data mode").containsPattern("Compression: [0-9.]+% of the data compressed");
        CommandRun bad = CommandRun.inProcess(StandardCharsets.UTF_8, repo.env(), "stats", "--mode", "by-size");
        assertThat(bad.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(bad.err()).contains("by-size").contains("files-by-contents");
    }
}
