package eu.rempart.vault.backend;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class BufferedPendingFileTest {
    @Test
    void contentAcrossBlocksReadsBackExactlyWhicheverWayItIsTaken() throws Exception {
        for (int size : new int[] {0, 1, BufferedPendingFile.BLOCK - 1, BufferedPendingFile.BLOCK,
                BufferedPendingFile.BLOCK + 1, 3 * BufferedPendingFile.BLOCK + 777}) {
            byte[] data = new byte[size];
            new SplittableRandom(size).nextBytes(data);
            BufferedPendingFile.Content[] got = new BufferedPendingFile.Content[1];
            try (BufferedPendingFile f = new BufferedPendingFile((name, c) -> got[0] = c)) {
                SplittableRandom r = new SplittableRandom(7);
                for (int off = 0; off < size; ) {
                    int n = Math.min(size - off, 1 + r.nextInt(BufferedPendingFile.BLOCK + 100));
                    f.write(data, off, n);
                    off += n;
                }
                assertThat(f.size()).isEqualTo(size);
                f.commit("x");
            }
            BufferedPendingFile.Content c = got[0];
            assertThat(c.length()).isEqualTo(size);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            c.writeTo(out);
            assertThat(out.toByteArray()).isEqualTo(data);
            long from = size / 3;
            long len = size - from - size / 5;
            assertThat(c.open(from, len).readAllBytes())
                    .isEqualTo(Arrays.copyOfRange(data, (int) from, (int) (from + len)));
            MessageDigest a = MessageDigest.getInstance("MD5");
            c.update(a, from, len);
            MessageDigest b = MessageDigest.getInstance("MD5");
            b.update(data, (int) from, (int) len);
            assertThat(a.digest()).isEqualTo(b.digest());
        }
    }
}
