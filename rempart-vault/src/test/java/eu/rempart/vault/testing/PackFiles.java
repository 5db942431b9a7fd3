package eu.rempart.vault.testing;

import eu.rempart.vault.Id;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Pack files of a repository on disk, for tests that damage them. */
public final class PackFiles {
    private PackFiles() {
    }

    /** A pack file of the repository at {@code repoDir} (it must exist). */
    public static Path path(Path repoDir, Id pack) {
        String hex = pack.toHex();
        Path p = repoDir.resolve("data").resolve(hex.substring(0, 2)).resolve(hex);
        assertThat(p).exists();
        return p;
    }

    /** {@link #path}, made writable: packs are stored read-only. */
    public static Path writable(Path repoDir, Id pack) {
        Path p = path(repoDir, pack);
        assertThat(p.toFile().setWritable(true)).as("make %s writable", p).isTrue();
        return p;
    }

    /** XORs the byte at {@code at} of {@code file} with {@code mask} (not 0). */
    public static void flip(Path file, long at, int mask) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ mask);
        }
    }
}
