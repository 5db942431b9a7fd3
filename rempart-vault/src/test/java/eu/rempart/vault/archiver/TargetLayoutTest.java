package eu.rempart.vault.archiver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.chunker.Polynomial;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.testing.Restic;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The tree a backup makes of its targets, relative or absolute, is the one restic 0.14 makes from
 * the same working directory: restic lists both snapshots and the lists must be equal.
 */
class TargetLayoutTest {
    private static final String PASSWORD = "layout";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Path base;

    @BeforeAll
    static void tree() throws IOException {
        assumeTrue(Restic.available(), "restic binary not installed");
        base = tmp.resolve("base");
        write(base.resolve("w/docs/a.txt"), "a");
        write(base.resolve("w/docs/inner/b.txt"), "bb");
        write(base.resolve("w/notes.txt"), "ccc");
        write(base.resolve("v/notes/d.txt"), "dddd");
        write(base.resolve("docs/e.txt"), "eeeee");
    }

    private static void write(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    static Stream<Arguments> targets() {
        return Stream.of(
                Arguments.of("w", List.of("docs")),
                Arguments.of("w", List.of(".")),
                Arguments.of("w/docs", List.of("..")),
                Arguments.of("w/docs", List.of("../..")),
                Arguments.of("w", List.of("docs/inner", "../v/notes")),
                // two top-level "docs" from different places: the second is docs-1
                Arguments.of("w", List.of("docs/inner", "../docs")),
                Arguments.of("w", List.of("ABS:v", "docs")),
                Arguments.of("w", List.of("docs", "docs/inner", "./docs/../notes.txt")),
                Arguments.of("w", List.of("ABS:w/docs")));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("targets")
    void sameTreeAsRestic(String cwd, List<String> given) throws Exception {
        Path dir = base.resolve(cwd);
        List<String> args = new ArrayList<>();
        for (String g : given) {
            args.add(g.startsWith("ABS:") ? base.resolve(g.substring(4)).toString() : g);
        }
        Path ours = Files.createTempDirectory(tmp, "rempart");
        try (Repository repo = init(ours)) {
            BackupResult r = new Archiver(repo, BackupOptions.defaults("host", "test"), null)
                    .backup(args.stream().map(Path::of).toList(), dir, null);
            assertThat(r.summary().errors()).isEmpty();
        }
        Path theirs = Files.createTempDirectory(tmp, "restic");
        init(theirs).close(); // restic's own init would derive its key slowly at every command
        Restic restic = new Restic(theirs, PASSWORD).in(dir);
        List<String> backup = new ArrayList<>(List.of("backup", "--host", "host"));
        backup.addAll(args);
        restic.run(backup.toArray(String[]::new)).assertOk();

        List<String> expected = listing(restic);
        assertThat(expected).anySatisfy(l -> assertThat(l).startsWith("paths "));
        assertThat(listing(new Restic(ours, PASSWORD))).containsExactlyElementsOf(expected);
    }

    private static Repository init(Path dir) throws IOException {
        return Repository.init(new LocalBackend(dir), PASSWORD.toCharArray(), KdfParams.forTests(),
                Polynomial.parse("3DA3358B4DC173"), "test", "host");
    }

    /** The snapshot's paths, then each node's path, type, size, mode and mtime, as restic lists them. */
    private static List<String> listing(Restic restic) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : restic.run("ls", "--json", "latest").assertOk().out().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = JSON.readTree(line);
            if ("snapshot".equals(n.path("struct_type").asText())) {
                out.add("paths " + n.get("paths"));
            } else {
                String path = n.get("path").asText();
                // the folders above the test's tree change between the two backups (repositories made there)
                String mtime = base.toString().startsWith(path + "/") ? "" : " " + n.get("mtime").asText();
                out.add(path + " " + n.get("type").asText() + " " + n.path("size").asLong() + " "
                        + n.get("mode").asLong() + mtime);
            }
        }
        return out;
    }
}
