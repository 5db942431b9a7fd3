package eu.rempart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code find --json} and {@code ls --json} print every field restic 0.14's print, with the same values. */
class FindLsJsonTest {
    static final String PASSWORD = "find pässword";

    @TempDir
    Path tmp;

    @Test
    void everyFieldResticPrintsIsTheSame() throws Exception {
        SharedRepository repo = SharedRepository.init(tmp.resolve("repo"), PASSWORD);
        Path src = tmp.resolve("src");

        Files.createDirectories(src.resolve("shared"));
        new ProcessBuilder("chmod", "1777", src.resolve("shared").toString()).start().waitFor();
        Files.writeString(src.resolve("agenda.txt"), "lundi 9h\n");
        Files.createFile(src.resolve("empty.txt"));
        Files.write(src.resolve("tool"), new byte[] {1, 2, 3});
        new ProcessBuilder("chmod", "4755", src.resolve("tool").toString()).start().waitFor();
        Files.createSymbolicLink(src.resolve("shortcut"), Path.of("agenda.txt"));
        Files.createLink(src.resolve("agenda-link.txt"), src.resolve("agenda.txt"));
        assumeTrue(new ProcessBuilder("mkfifo", src.resolve("pipe").toString()).start().waitFor() == 0, "no mkfifo");

        String id = repo.ok("backup", "--json", src.toString()).snapshotId();

        JsonNode theirs = Cli.JSON.readTree(repo.restic().run("find", "--json", "*", id).assertOk().out());
        JsonNode mine = repo.ok("find", "--json", "*", id).json();
        assertSameFields(byPath(mine.get(0).get("matches")), byPath(theirs.get(0).get("matches")), 7);

        List<JsonNode> lsMine = repo.ok("ls", "--json", id).jsonLines();
        List<JsonNode> lsTheirs = new CommandRun(0, repo.restic().run("ls", "--json", id).assertOk().out(), "").jsonLines();
        assertSameFields(byPath(lsMine.subList(1, lsMine.size())), byPath(lsTheirs.subList(1, lsTheirs.size())), 7);
        assertThat(byPath(lsMine.subList(1, lsMine.size())).get(src.resolve("shared").toString())
                .path("permissions").asText()).isEqualTo("dtrwxrwxrwx");
    }

    private static Map<String, JsonNode> byPath(Iterable<JsonNode> nodes) {
        Map<String, JsonNode> m = new TreeMap<>();
        nodes.forEach(n -> m.put(n.path("path").asText(), n));
        return m;
    }

    /** Same paths; every field of restic's node is in ours with the same value. */
    private static void assertSameFields(Map<String, JsonNode> mine, Map<String, JsonNode> theirs, int atLeast) {
        assertThat(theirs.size()).isGreaterThanOrEqualTo(atLeast);
        assertThat(mine.keySet()).isEqualTo(theirs.keySet());
        theirs.forEach((path, node) -> node.fieldNames().forEachRemaining(f ->
                assertThat(mine.get(path).get(f)).as("%s %s", path, f).isEqualTo(node.get(f))));
    }
}
