package eu.rempart.cli.it;

import eu.rempart.cli.CommandRun;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The repository's disk fills up during a backup: a clear error, no snapshot, nothing broken. */
class FullDiskIT extends ItBase {
    Path mount;

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            eu.rempart.vault.testing.Tmpfs.unmount(mount);
        }
    }

    @Test
    void fullDiskFailsCleanly() throws Exception {
        Path dir = tmp.resolve("small-disk");
        assumeTrue(eu.rempart.vault.testing.Tmpfs.mount(dir, "48m"), "cannot mount a tmpfs (not root?)");
        mount = dir;
        repo = dir.resolve("repo");
        env.put("REMPART_REPOSITORY", repo.toString());
        restic = new eu.rempart.vault.testing.Restic(repo, PASSWORD);

        ok("init");
        Path small = smallTree("small", 5);
        String first = backup(small);

        Path big = tmp.resolve("big");
        Files.createDirectories(big);
        for (int i = 0; i < 4; i++) {
            writeKeystream(big.resolve("f" + i), 25L << 20, 50 + i);
        }
        CommandRun r = rempart.run("backup", big.toString());
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.err().lines().toList()).as(r.toString()).hasSize(1);
        assertThat(r.err()).startsWith("rempart: ").containsIgnoringCase("no space left");
        assertThat(r.err()).doesNotContain("Exception");
        CommandRun fr = rempart.run("--lang", "fr", "backup", "--json", big.toString());
        assertThat(fr.code()).isEqualTo(1);
        assertThat(fr.err()).startsWith("rempart: ").contains("plein");

        assertThat(snapshotCount()).isEqualTo(1);
        assertThat(lockFiles()).isEmpty();
        // no half-written file is left anywhere in the repository
        try (Stream<Path> s = Files.walk(repo)) {
            List<String> tmpFiles = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
            assertThat(tmpFiles).isEmpty();
        }
        assertBothChecksPass();
        assertRestoresIdentical(first, small, true);
    }
}
