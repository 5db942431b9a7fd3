package eu.rempart.vault.fs;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Direct I/O must be invisible: any size, any offset, any split of writes gives the same bytes as
 * plain I/O. Runs on the build's temporary directory (direct I/O on ext4/xfs, the fallback on tmpfs)
 * and on /dev/shm (always the fallback).
 */
class DirectFilesTest {
    static final int[] SIZES = {0, 1, 4095, 4096, 4097, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 12345};

    static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static Path dir(boolean shm) throws IOException {
        Path base = shm && Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of("target");
        return Files.createTempDirectory(base.toAbsolutePath(), "direct-files-test");
    }

    @Test
    void writeThenReadEverySizeOnBothKindsOfFileSystem() throws IOException {
        for (boolean shm : new boolean[] {false, true}) {
            Path d = dir(shm);
            for (int size : SIZES) {
                byte[] data = random(size, size);
                Path f = d.resolve("f" + size);
                try (DirectFiles.SequentialWriter w = DirectFiles.newWriter(f, Set.of(StandardOpenOption.CREATE_NEW))) {
                    // uneven pieces, some larger than the writer's buffer
                    SplittableRandom r = new SplittableRandom(size);
                    for (int off = 0; off < size; ) {
                        int n = Math.min(size - off, 1 + r.nextInt(1 << 21));
                        w.write(data, off, n);
                        off += n;
                    }
                    w.force();
                    assertThat(w.size()).isEqualTo(size);
                }
                assertThat(Files.readAllBytes(f)).as("written %d on %s", size, d).isEqualTo(data);
                ByteArrayOutputStream back = new ByteArrayOutputStream();
                try (InputStream in = DirectFiles.newInputStream(f)) {
                    byte[] buf = new byte[70_000];
                    int n;
                    while ((n = in.read(buf, 0, buf.length)) >= 0) {
                        back.write(buf, 0, n);
                    }
                    assertThat(in.read()).isEqualTo(-1);
                }
                assertThat(back.toByteArray()).as("read %d on %s", size, d).isEqualTo(data);
            }
        }
    }

    /**
     * Writers return their aligned buffers to a shared pool. A writer abandoned with a half-filled
     * buffer (a pack dropped after a failed write) once handed that buffer on as it was, and the
     * next writer to take it wrote the stale bytes ahead of its own: packs whose content no longer
     * matched their name. Several abandoned writers, then writers of several buffers each.
     */
    @Test
    void buffersOfAbandonedWritersComeBackEmpty() throws IOException {
        Path d = dir(false);
        // Open at once, so each holds buffers of its own; each abandoned part-way through a buffer.
        java.util.List<DirectFiles.SequentialWriter> abandoned = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            DirectFiles.SequentialWriter w = DirectFiles.newWriter(d.resolve("abandoned-" + i),
                    Set.of(StandardOpenOption.CREATE_NEW));
            byte[] junk = random(100 + i, (i % 2 == 0 ? 0 : 1 << 20) + 1000 * (i + 1));
            w.write(junk, 0, junk.length);
            abandoned.add(w);
        }
        for (DirectFiles.SequentialWriter w : abandoned) {
            w.abandon();
        }
        for (int i = 0; i < 4; i++) {
            byte[] data = random(200 + i, 3 * (1 << 20) + 777);
            Path f = d.resolve("after-" + i);
            try (DirectFiles.SequentialWriter w = DirectFiles.newWriter(f, Set.of(StandardOpenOption.CREATE_NEW))) {
                for (int off = 0; off < data.length; off += 100_000) {
                    w.write(data, off, Math.min(100_000, data.length - off));
                }
            }
            assertThat(Files.readAllBytes(f)).isEqualTo(data);
        }
    }

    @Test
    void aStreamClosedWithAReadAheadInFlightLeavesTheNextStreamOfTheThreadIntact() throws IOException {
        Path d = dir(false);
        byte[] big = random(21, 5 * (1 << 20) + 99);
        byte[] other = random(22, 3 * (1 << 20) + 7);
        Files.write(d.resolve("big"), big);
        Files.write(d.resolve("other"), other);
        for (int i = 0; i < 20; i++) {
            // The first read of a full megabyte starts reading the next one behind the caller's back.
            try (InputStream in = DirectFiles.newInputStream(d.resolve("big"))) {
                assertThat(in.readNBytes(100 + i)).isEqualTo(java.util.Arrays.copyOf(big, 100 + i));
            }
            try (InputStream in = DirectFiles.newInputStream(d.resolve("other"))) {
                assertThat(in.readAllBytes()).isEqualTo(other);
            }
        }
    }

    @Test
    void positionedReadsReturnExactlyTheBytesAskedForAndStopAtTheEnd() throws IOException {
        for (boolean shm : new boolean[] {false, true}) {
            Path d = dir(shm);
            int size = 3 * (1 << 20) + 12345;
            byte[] data = random(7, size);
            Path f = d.resolve("pack");
            Files.write(f, data);
            SplittableRandom r = new SplittableRandom(11);
            // Small reads first: the thread's read buffer starts small and grows with the reads.
            int[][] cases = {{0, 1}, {4095, 2}, {4096, 4096}, {70_000, 70_000}, {0, size}, {size - 1, 1},
                    {size - 5000, 5000}, {(1 << 20) - 7, (1 << 20) + 14}, {123, 0}};
            for (int i = 0; i < cases.length + 200; i++) {
                int pos = i < cases.length ? cases[i][0] : r.nextInt(size);
                int len = i < cases.length ? cases[i][1] : r.nextInt(Math.min(size - pos, 3 << 20) + 1);
                byte[] dst = new byte[len + 10];
                DirectFiles.readAt(f, pos, dst, 3, len);
                assertThat(java.util.Arrays.copyOfRange(dst, 3, 3 + len)).as("%d bytes at %d on %s", len, pos, d)
                        .isEqualTo(java.util.Arrays.copyOfRange(data, pos, pos + len));
                assertThat(java.util.Arrays.copyOfRange(dst, 0, 3)).isEqualTo(new byte[3]);
                assertThat(java.util.Arrays.copyOfRange(dst, 3 + len, dst.length)).isEqualTo(new byte[7]);
            }
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> DirectFiles.readAt(f, size - 10, new byte[20], 0, 20))
                    .isInstanceOf(java.io.EOFException.class).hasMessageContaining(f.toString());
        }
    }

    @Test
    void readingLeavesTheAccessTimeAlone() throws IOException {
        Path d = dir(false);
        Path f = d.resolve("evidence");
        Files.write(f, random(9, 100_000));
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(946_684_800_000L);
        // atime older than mtime: with relatime the kernel would update it on the next read
        Files.setAttribute(f, "lastAccessTime", old, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        try (InputStream in = DirectFiles.newInputStream(f)) {
            assertThat(in.readAllBytes()).hasSize(100_000);
        }
        assertThat(Files.getAttribute(f, "lastAccessTime")).isEqualTo(old);
        // the control: an ordinary read does move it here, so the check above means something
        Files.readAllBytes(f);
        org.junit.jupiter.api.Assumptions.assumeFalse(old.equals(Files.getAttribute(f, "lastAccessTime")),
                "this file system does not update access times (noatime)");
    }
}
