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

    /** A restore onto a disk too small for it: the reason, and only whole files left behind. */
    @Test
    void fullTargetDiskLeavesOnlyWholeFiles() throws Exception {
        Path src = smallTree("src", 6);
        writeKeystream(src.resolve("xray.dcm"), 12L << 20, 60);
        ok("init");
        backup(src);

        Path dir = tmp.resolve("small-disk");
        assumeTrue(eu.rempart.vault.testing.Tmpfs.mount(dir, "8m"), "cannot mount a tmpfs (not root?)");
        mount = dir;
        CommandRun r = rempart.run("restore", "latest", "--target", dir.toString());
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        List<String> lines = r.err().lines().toList();
        assertThat(lines).as(r.toString()).hasSize(2);
        assertThat(lines.get(0)).matches("rempart: restore stopped: \\d+ files? restored whole; [1-9]\\d* files? begun (was|were) "
                + "removed because incomplete\\. Run the restore again once the problem is solved");
        assertThat(lines.get(1)).startsWith("rempart: ").containsIgnoringCase("no space left");
        Path restored = within(dir, src);
        assertThat(restored.resolve("xray.dcm")).doesNotExist();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList()) {
                assertThat(eu.rempart.vault.testing.TreeCompare.sha(p)).as("%s is whole", p)
                        .isEqualTo(eu.rempart.vault.testing.TreeCompare.sha(src.resolve(restored.relativize(p))));
            }
        }
        CommandRun fr = rempart.run("--lang", "fr", "restore", "latest", "--target", dir.toString());
        assertThat(fr.code()).isEqualTo(1);
        assertThat(fr.err()).startsWith("rempart: restauration interrompue : ").contains("disque plein");

        // space freed: the same restore again writes only what is missing, and all is there
        assertThat(new ProcessBuilder("mount", "-o", "remount,size=64m", dir.toString()).inheritIO().start()
                .waitFor()).isZero();
        com.fasterxml.jackson.databind.JsonNode again = ok("restore", "--json", "latest", "--target", dir.toString()).json();
        assertThat(again.path("files_skipped").asLong()).as(again.toString()).isPositive();
        assertThat(again.path("files_restored").asLong()).as(again.toString()).isPositive();
        assertThat(eu.rempart.vault.testing.TreeCompare.diff(src, restored)).isEmpty();
    }
}
