package eu.rempart.vault.testing;

import eu.rempart.vault.fs.FileNames;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;

/** Builds deterministic source trees with the awkward cases a backup must survive. */
public final class TestTrees {
    private TestTrees() {
    }

    /**
     * A tree of {@code smallFiles} small files in nested directories, a few large files, an empty
     * file, symlinks (one dangling, one with a non-UTF-8 target), a hard-linked pair, a FIFO, and
     * names that are not UTF-8, very long, or full of special characters.
     */
    public static void build(Path root, long seed, int smallFiles, int largeFiles, int largeSize) throws IOException {
        Random rnd = new Random(seed);
        Files.createDirectories(root);
        for (int i = 0; i < smallFiles; i++) {
            Path dir = root.resolve("docs").resolve("d" + (i % 37)).resolve("e" + (i % 5));
            Files.createDirectories(dir);
            byte[] b = new byte[rnd.nextInt(6000)];
            if (i % 3 == 0) {
                rnd.nextBytes(b);
            } else {
                byte[] words = ("patient rendez-vous ordonnance radiographie " + i + " ").getBytes(StandardCharsets.UTF_8);
                for (int k = 0; k < b.length; k++) {
                    b[k] = words[k % words.length];
                }
            }
            Files.write(dir.resolve("file-" + i + (i % 4 == 0 ? ".odt" : ".txt")), b);
        }
        Path big = root.resolve("images");
        Files.createDirectories(big);
        for (int i = 0; i < largeFiles; i++) {
            writeRandom(big.resolve("xray-" + i + ".dcm"), largeSize + rnd.nextInt(1 << 20), rnd.nextLong());
        }
        Path odd = root.resolve("odd");
        Files.createDirectories(odd);
        Files.write(odd.resolve("empty"), new byte[0]);
        Files.writeString(odd.resolve("accentué été.txt"), "é");
        Files.writeString(odd.resolve("with \"quotes\" \\ back <html> & \t tab"), "q");
        Files.writeString(odd.resolve("new\nline"), "n");
        Files.writeString(FileNames.resolve(odd, new byte[] {'b', 'a', 'd', (byte) 0xe9, (byte) 0xff, '.', 't'}), "latin1");
        Files.writeString(odd.resolve("l".repeat(255)), "long name");
        Path deep = odd;
        // about 3.4 KB deep: long, yet under PATH_MAX
        for (int i = 0; i < 15; i++) {
            deep = deep.resolve("deep-directory-level-" + "x".repeat(200) + i);
        }
        Files.createDirectories(deep);
        Files.writeString(deep.resolve("bottom.txt"), "deep");
        Files.createSymbolicLink(odd.resolve("link-to-empty"), Path.of("empty"));
        Files.createSymbolicLink(odd.resolve("dangling"), Path.of("/nonexistent/target"));
        eu.rempart.vault.fs.FileSystemAccess.createSymlink(odd.resolve("link-bad-target"), new byte[] {'x', (byte) 0xfe});
        Files.writeString(odd.resolve("hard-a"), "hard linked content");
        Files.createLink(odd.resolve("hard-b"), odd.resolve("hard-a"));
        eu.rempart.vault.fs.FileSystemAccess.createSpecial(odd.resolve("fifo"), eu.rempart.vault.fs.FileKind.FIFO, 0640, 0);
        Path ro = odd.resolve("readonly.txt");
        Files.writeString(ro, "ro");
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r--r-----"));
        Files.setLastModifiedTime(ro, FileTime.fromMillis(1_500_000_000_123L));
    }

    public static void writeRandom(Path p, long size, long seed) throws IOException {
        Random r = new Random(seed);
        byte[] buf = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(p)) {
            long left = size;
            while (left > 0) {
                r.nextBytes(buf);
                int n = (int) Math.min(buf.length, left);
                out.write(buf, 0, n);
                left -= n;
            }
        }
    }

    /** Copies a tree of plain files and folders (e.g. a repository, to run something on a copy). */
    public static void copy(Path from, Path to) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
