package eu.rempart.vault.backend;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class BufferedPendingFileTest {
    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }

    /** Writes data in uneven pieces, commits it, and runs the checks while the upload has it. */
    private static void writeAndCommit(BufferedPendingFile.Blocks pool, byte[] data,
            BufferedPendingFile.Upload check) throws IOException {
        try (BufferedPendingFile f = new BufferedPendingFile(check, pool)) {
            SplittableRandom r = new SplittableRandom(7);
            for (int off = 0; off < data.length; ) {
                int n = Math.min(data.length - off, 1 + r.nextInt(BufferedPendingFile.BLOCK + 100));
                f.write(data, off, n);
                off += n;
            }
            assertThat(f.size()).isEqualTo(data.length);
            f.commit("x");
        }
    }

    static void assertHolds(BufferedPendingFile.Content c, byte[] data) throws Exception {
        int size = data.length;
        assertThat(c.length()).isEqualTo(size);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        c.writeTo(out);
        assertThat(out.toByteArray()).isEqualTo(data);
        long from = size / 3;
        long len = size - from - size / 5;
        assertThat(c.open(from, len).readAllBytes()).isEqualTo(Arrays.copyOfRange(data, (int) from, (int) (from + len)));
        MessageDigest a = MessageDigest.getInstance("MD5");
        c.update(a, from, len);
        MessageDigest b = MessageDigest.getInstance("MD5");
        b.update(data, (int) from, (int) len);
        assertThat(a.digest()).isEqualTo(b.digest());
    }

    @Test
    void contentAcrossBlocksReadsBackExactlyWhicheverWayItIsTaken() throws Exception {
        BufferedPendingFile.Blocks pool = new BufferedPendingFile.Blocks();
        for (int size : new int[] {0, 1, BufferedPendingFile.BLOCK - 1, BufferedPendingFile.BLOCK,
                BufferedPendingFile.BLOCK + 1, 3 * BufferedPendingFile.BLOCK + 777}) {
            byte[] data = random(size, size);
            boolean[] uploaded = new boolean[1];
            writeAndCommit(pool, data, (name, c) -> {
                try {
                    assertHolds(c, data);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                uploaded[0] = true;
            });
            assertThat(uploaded[0]).isTrue();
        }
    }

    @Test
    void blocksOfAClosedFileServeTheNextOneWithNothingOfTheOldBytes() throws Exception {
        BufferedPendingFile.Blocks pool = new BufferedPendingFile.Blocks(3);
        byte[] big = random(5 * BufferedPendingFile.BLOCK, 1);
        writeAndCommit(pool, big, (name, c) -> { });
        assertThat(pool.free()).as("no more than the pool's limit is kept").isEqualTo(3);

        // A shorter file on reused blocks holds its own bytes only, however it is read.
        byte[] small = random(2 * BufferedPendingFile.BLOCK + 5, 2);
        writeAndCommit(pool, small, (name, c) -> {
            assertThat(pool.free()).as("two blocks and a bit taken from the pool").isZero();
            try {
                assertHolds(c, small);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertThat(pool.free()).isEqualTo(3);

        // A file dropped without commit (a failed pack) gives its blocks back too.
        try (BufferedPendingFile f = new BufferedPendingFile((name, c) -> { }, pool)) {
            f.write(big, 0, BufferedPendingFile.BLOCK + 1);
            assertThat(pool.free()).isEqualTo(1);
        }
        assertThat(pool.free()).isEqualTo(3);
    }
}
