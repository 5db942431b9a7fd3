package eu.rempart.vault.backend;

import eu.rempart.vault.testing.Tmpfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SpooledPendingFileTest {
    @TempDir
    Path tmp;

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }

    /** Writes data in uneven pieces, some larger than a system call's piece, and commits it. */
    private static boolean writeAndCommit(SpooledPendingFile f, byte[] data) throws IOException {
        SplittableRandom r = new SplittableRandom(3);
        for (int off = 0; off < data.length; ) {
            int n = Math.min(data.length - off, 1 + r.nextInt(3 * SpooledPendingFile.PIECE));
            f.write(data, off, n);
            off += n;
        }
        assertThat(f.size()).isEqualTo(data.length);
        f.commit("x");
        return f.spooled();
    }

    private static BufferedPendingFile.Upload checking(byte[] data, boolean[] uploaded) {
        return (name, c) -> {
            try {
                BufferedPendingFileTest.assertHolds(c, data);
                BufferedPendingFileTest.assertHolds(c, data); // a retry reads it all again
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            uploaded[0] = true;
        };
    }

    /** The process's open files that were in {@code dir} and are deleted now. */
    private static List<Path> openDeletedFilesOf(Path dir) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    return target.startsWith(dir + "/rempart-pack-") && target.endsWith(" (deleted)");
                } catch (IOException e) {
                    return false; // closed meanwhile (the listing's own descriptor)
                }
            }).toList();
        }
    }

    private static long entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void bytesGoToAnUnlinkedOwnerOnlyFileAndReadBackExactly() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc");
        Path dir = tmp.resolve("spool");
        Files.createDirectories(dir);
        for (int size : new int[] {0, 1, SpooledPendingFile.PIECE, 3 * SpooledPendingFile.PIECE + 777, 5 << 20}) {
            byte[] data = random(size, size);
            boolean[] uploaded = new boolean[1];
            try (SpooledPendingFile f = new SpooledPendingFile(dir, checking(data, uploaded), new BufferedPendingFile.Blocks())) {
                // Nothing under a name: a killed process leaves no file behind.
                assertThat(entries(dir)).isZero();
                List<Path> open = openDeletedFilesOf(dir);
                assertThat(open).hasSize(1);
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(open.get(0)))).isEqualTo("rw-------");
                assertThat(writeAndCommit(f, data)).as("still in the file").isTrue();
            }
            assertThat(uploaded[0]).isTrue();
            assertThat(openDeletedFilesOf(dir)).as("closed with the pending file").isEmpty();
        }
    }

    @Test
    void withoutAUsableTemporaryDirectoryTheBytesStayInMemory() throws Exception {
        byte[] data = random(3 << 20, 1);
        boolean[] uploaded = new boolean[1];
        try (SpooledPendingFile f = new SpooledPendingFile(tmp.resolve("missing"), checking(data, uploaded),
                new BufferedPendingFile.Blocks())) {
            assertThat(writeAndCommit(f, data)).isFalse();
        }
        assertThat(uploaded[0]).isTrue();
    }

    @Test
    void aDiskThatFillsUpMovesTheBytesToMemoryAndLosesNone() throws Exception {
        Path small = tmp.resolve("small-disk");
        assumeTrue(Tmpfs.mount(small, "1m"), "cannot mount a tmpfs (not root?)");
        try {
            byte[] data = random(3 << 20, 2);
            boolean[] uploaded = new boolean[1];
            BufferedPendingFile.Blocks pool = new BufferedPendingFile.Blocks();
            try (SpooledPendingFile f = new SpooledPendingFile(small, checking(data, uploaded), pool)) {
                f.write(data, 0, 1000);
                assertThat(f.spooled()).isTrue();
                f.write(data, 1000, 1 << 20); // beyond the disk's 1 MiB
                assertThat(f.spooled()).isFalse();
                f.write(data, 1000 + (1 << 20), data.length - 1000 - (1 << 20));
                f.commit("x");
            }
            assertThat(uploaded[0]).isTrue();
            assertThat(pool.free()).as("the memory blocks went back").isEqualTo(3);
            assertThat(Files.getFileStore(small).getUnallocatedSpace()).as("the disk is free again")
                    .isEqualTo(Files.getFileStore(small).getTotalSpace());
        } finally {
            Tmpfs.unmount(small);
        }
    }
}
