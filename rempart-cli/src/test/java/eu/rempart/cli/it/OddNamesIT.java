package eu.rempart.cli.it;

import eu.rempart.cli.CommandRun;

import com.fasterxml.jackson.databind.JsonNode;
import eu.rempart.vault.testing.TestTrees;
import eu.rempart.vault.testing.TreeCompare;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Awkward names and special files through the command line, restored by both implementations. */
class OddNamesIT extends ItBase {
    @Test
    void oddNamesRoundTripThroughBothImplementations() throws Exception {
        Path src = tmp.resolve("src");
        // non-UTF-8 bytes, 255-byte names, newline/backslash/quote, a fifo, links, a deep path
        TestTrees.build(src, 11, 60, 1, 150_000);
        ok("init");
        String id = backup(src);

        Path byRestic = tmp.resolve("by-restic");
        Path byRempart = tmp.resolve("by-rempart");
        restic.run("restore", id, "--target", byRestic.toString()).assertOk();
        ok("restore", id, "--target", byRempart.toString());
        assertThat(resticDiff(src, within(byRestic, src))).as("restic restore").isEmpty();
        assertThat(TreeCompare.diff(src, within(byRempart, src))).as("rempart restore").isEmpty();
        assertThat(resticDiff(within(byRempart, src), within(byRestic, src))).isEmpty();

        List<JsonNode> nodes = ok("ls", "--json", id).jsonLines();
        assertThat(nodes.get(0).path("struct_type").asText()).isEqualTo("snapshot");
        List<String> paths = nodes.stream().skip(1).map(n -> n.path("path").asText()).toList();
        Path odd = src.resolve("odd");
        assertThat(paths).contains(odd.resolve("new\nline").toString(),
                odd.resolve("with \"quotes\" \\ back <html> & \t tab").toString(),
                odd.resolve("l".repeat(255)).toString());
        assertThat(nodes).anySatisfy(n -> {
            assertThat(n.path("path").asText()).isEqualTo(odd.resolve("fifo").toString());
            assertThat(n.path("type").asText()).isEqualTo("fifo");
        });
        // the same nodes as restic lists (the non-UTF-8 name included, compared by count)
        List<JsonNode> resticNodes = new CommandRun(0, restic.run("ls", "--json", id).assertOk().out(), "")
                .jsonLines();
        assertThat(nodes).hasSameSizeAs(resticNodes);
        assertThat(paths).containsExactlyInAnyOrderElementsOf(
                resticNodes.stream().skip(1).map(n -> n.path("path").asText()).toList());
        assertBothChecksPass();
    }
}
