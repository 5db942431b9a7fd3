package eu.rempart.vault.archiver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The walk a backup starts while its key is derived: on real files, honouring excludes, stopping when told. */
class WarmUpTest {
    @TempDir
    Path dir;

    @Test
    void walksEverythingTheBackupWouldOnceAndSkipsExcludedTrees() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        for (int d = 0; d < 3; d++) {
            Path sub = Files.createDirectories(src.resolve("d" + d));
            for (int f = 0; f < 4; f++) {
                Files.writeString(sub.resolve("f" + f), "x");
            }
        }
        Path cache = Files.createDirectories(src.resolve("cache"));
        for (int f = 0; f < 50; f++) {
            Files.writeString(cache.resolve("c" + f), "x");
        }
        Files.createSymbolicLink(src.resolve("loop"), src); // not followed
        Path fifo = src.resolve("fifo");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor(); // never opened
        Path locked = Files.createDirectories(src.resolve("locked"));
        Files.writeString(locked.resolve("secret"), "x");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            WarmUp w = new WarmUp(List.of(src, dir.resolve("missing")), Excludes.of(List.of("cache"), List.of()));
            assertThat(w.awaitEnd(Duration.ofSeconds(30))).isTrue();
            // The two targets; 3 directories of 4 files; loop, fifo and locked, whose file only root
            // can list. Not the excluded cache nor anything in it.
            boolean root = "root".equals(System.getProperty("user.name"));
            assertThat(w.visited()).isEqualTo(2 + 3 * 5 + 3 + (root ? 1 : 0));
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void stopsWhenClosed() throws Exception {
        Path src = Files.createDirectories(dir.resolve("big"));
        for (int d = 0; d < 40; d++) {
            Path sub = Files.createDirectories(src.resolve("d" + d));
            for (int f = 0; f < 250; f++) {
                Files.createFile(sub.resolve("f" + f));
            }
        }
        WarmUp w = new WarmUp(List.of(src), Excludes.none());
        w.close();
        assertThat(w.awaitEnd(Duration.ofSeconds(30))).isTrue();
        assertThat(w.visited()).isLessThan(1 + 40 * 251);
    }
}
