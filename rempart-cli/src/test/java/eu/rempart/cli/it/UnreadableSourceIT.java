package eu.rempart.cli.it;

import eu.rempart.cli.CommandRun;

import com.fasterxml.jackson.databind.JsonNode;
import eu.rempart.vault.testing.TreeCompare;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A source file that cannot be read: exit 3, the path reported, a snapshot of everything else. */
class UnreadableSourceIT extends ItBase {
    /** As root, drop the capabilities that let root read any file, so permissions apply again. */
    static final List<String> NO_DAC = List.of("setpriv", "--inh-caps=-all",
            "--bounding-set=-dac_override,-dac_read_search", "--");

    @Test
    void unreadableFileIsReportedAndEverythingElseIsSaved() throws Exception {
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("sub"));
        Files.writeString(src.resolve("a.txt"), "readable a\n");
        writeKeystream(src.resolve("sub/b.bin"), 700_000, 7);
        Path secret = src.resolve("sub/secret.txt");
        Files.writeString(secret, "patient data nobody may read\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));

        RempartProcess runner = rempart;
        if (Files.isReadable(secret)) {
            // root: only a capability-less rempart is refused the file
            boolean setpriv = new ProcessBuilder("setpriv", "--help").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
            assumeTrue(setpriv && "root".equals(System.getProperty("user.name")),
                    "secret.txt is readable and setpriv cannot drop root's capabilities");
            runner = rempart.wrappedIn(NO_DAC);
            // the wrapper really works: cat is refused under it
            Process cat = new ProcessBuilder(concat(NO_DAC, List.of("cat", secret.toString())))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(cat.waitFor()).as("cat under setpriv must fail").isNotZero();
        }
        ok("init");

        CommandRun human = runner.run("backup", src.toString());
        assertThat(human.code()).as(human.toString()).isEqualTo(3);
        assertThat(human.err()).contains(secret + ": permission denied");
        assertThat(human.out()).contains("Snapshot");
        // in French, as a dry run (no third snapshot)
        CommandRun french = runner.run("--lang", "fr", "backup", "--dry-run", "--force", src.toString());
        assertThat(french.code()).as(french.toString()).isEqualTo(3);
        assertThat(french.err()).contains(secret + ": accès refusé (droits du fichier)");

        CommandRun json = runner.run("backup", "--json", "--force", src.toString());
        assertThat(json.code()).as(json.toString()).isEqualTo(3);
        JsonNode report = json.json();
        assertThat(report.path("errors")).hasSize(1);
        assertThat(report.path("errors").get(0).path("path").asText()).isEqualTo(secret.toString());
        assertThat(report.path("errors").get(0).path("message").asText()).isNotBlank();
        String snapshot = report.path("snapshot_id").asText();

        // the snapshot exists, records the error, and holds every other file
        JsonNode snaps = ok("snapshots", "--json").json();
        assertThat(snaps).hasSize(2);
        for (JsonNode s : snaps) {
            assertThat(s.path("summary").toString()).contains(secret.toString());
        }
        List<String> paths = ok("ls", "--json", snapshot).jsonLines().stream().skip(1)
                .map(n -> n.path("path").asText()).toList();
        assertThat(paths).contains(src.resolve("a.txt").toString(), src.resolve("sub/b.bin").toString())
                .doesNotContain(secret.toString());

        assertBothChecksPass();
        Path target = tmp.resolve("restored");
        restic.run("restore", snapshot, "--target", target.toString()).assertOk();
        Path r = within(target, src);
        assertThat(TreeCompare.sha(r.resolve("a.txt"))).isEqualTo(TreeCompare.sha(src.resolve("a.txt")));
        assertThat(TreeCompare.sha(r.resolve("sub/b.bin"))).isEqualTo(TreeCompare.sha(src.resolve("sub/b.bin")));
        assertThat(Files.exists(r.resolve("sub/secret.txt"))).isFalse();
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> l = new java.util.ArrayList<>(a);
        l.addAll(b);
        return l;
    }
}
