package eu.rempart.vault.testing;

import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.backend.local.LocalBackend;

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
        Path p = new LocalBackend(repoDir).path(FileType.PACK, pack.toHex());
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
