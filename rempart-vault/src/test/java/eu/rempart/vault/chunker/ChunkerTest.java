package eu.rempart.vault.chunker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.rempart.vault.Id;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ChunkerTest {
    /** restic/chunker's test polynomial. */
    private static final Polynomial TEST_POL = Polynomial.of(0x3DA3358B4DC173L);

    @Test
    void zeroBytesAreCutAtMinSizeLikeResticsVector() throws IOException {
        // restic/chunker v0.4.0 chunker_test.go "chunks2": 4 * MinSize zero bytes give four MinSize chunks,
        // cut fingerprint 0, each with this SHA-256.
        byte[] data = new byte[4 * Chunker.MIN_SIZE];
        List<byte[]> chunks = chunk(TEST_POL, new ByteArrayInputStream(data));
        assertThat(chunks).hasSize(4).allSatisfy(c -> {
            assertThat(c).hasSize(Chunker.MIN_SIZE);
            assertThat(Id.hash(c).toHex())
                    .isEqualTo("07854d2fef297a06ba81685e660c332de36d5d18d546927d30daad6d7fda1541");
        });
        assertThat(new ReferenceChunker(TEST_POL.value())
                        .split(data, Chunker.MIN_SIZE, Chunker.MAX_SIZE, Chunker.SPLIT_MASK))
                .containsExactly(new ReferenceChunker.Cut(Chunker.MIN_SIZE, 0), new ReferenceChunker.Cut(Chunker.MIN_SIZE, 0),
                        new ReferenceChunker.Cut(Chunker.MIN_SIZE, 0), new ReferenceChunker.Cut(Chunker.MIN_SIZE, 0));
    }

    @Property(tries = 25)
    void matchesReferenceAndReassembles(@ForAll long seed, @ForAll @IntRange(min = 0, max = 6 * 1024 * 1024) int size,
            @ForAll boolean periodic, @ForAll boolean shortReads) throws IOException {
        byte[] data = periodic ? periodicData(seed, size) : ResticInteropTest.random(seed, size);
        Polynomial pol = Polynomial.random(new java.security.SecureRandom());
        checkAgainstReference(pol, data, shortReads ? new ShortReads(new ByteArrayInputStream(data), seed) : new ByteArrayInputStream(data));
    }

    @Test
    void maxSizeCutsAndStreamBoundaries() throws IOException {
        // 1021-byte period: every full-window fingerprint repeats, so (for this polynomial) no content cut happens.
        byte[] data = periodicData(5, 3 * Chunker.MAX_SIZE + 77);
        List<byte[]> chunks = checkAgainstReference(TEST_POL, data, new ShortReads(new ByteArrayInputStream(data), 9));
        assertThat(chunks).extracting(c -> c.length)
                .containsExactly(Chunker.MAX_SIZE, Chunker.MAX_SIZE, Chunker.MAX_SIZE, 77);
        for (int size : new int[] {0, 1, 4096, Chunker.MIN_SIZE - 1, Chunker.MIN_SIZE, Chunker.MIN_SIZE + 1}) {
            byte[] d = ResticInteropTest.random(size, size);
            List<byte[]> c = checkAgainstReference(TEST_POL, d, new ByteArrayInputStream(d));
            assertThat(c).hasSize(size == 0 ? 0 : 1);
        }
    }

    @Test
    void lowerDegreePolynomialsFollowTheSameRules() throws IOException {
        // restic accepts any irreducible polynomial in a config; check a few degrees below 53 against the oracle
        // (from degree 16 on, the chunker takes two steps per iteration).
        for (int degree : new int[] {9, 15, 16, 20, 37}) {
            long p = (1L << degree) | 1;
            while (!Polynomial.irreducible(p)) {
                p += 2;
            }
            byte[] data = ResticInteropTest.random(degree, 3 * 1024 * 1024 + degree);
            checkAgainstReference(Polynomial.of(p), data, new ByteArrayInputStream(data));
        }
    }

    @Test
    void reuseAcrossStreamsAndUsageErrors() throws IOException {
        byte[] data = ResticInteropTest.random(42, 5 * 1024 * 1024);
        Chunker chunker = new Chunker(TEST_POL);
        assertThatThrownBy(chunker::next).isInstanceOf(IllegalStateException.class);
        List<byte[]> first = chunk(chunker, new ByteArrayInputStream(data));
        chunker.reset(new ByteArrayInputStream(ResticInteropTest.random(43, 3 * 1024 * 1024)));
        chunker.next(); // abandon a stream midway
        List<byte[]> again = chunk(chunker, new ByteArrayInputStream(data));
        assertThat(again).hasSameSizeAs(first);
        for (int i = 0; i < first.size(); i++) {
            assertThat(again.get(i)).isEqualTo(first.get(i));
        }
        assertThat(chunker.next()).isNull();
        assertThatThrownBy(() -> new Chunker(Polynomial.of(0x3DA3358B4DC173L << 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void inPlaceChunksMatchCopiesAcrossBufferGrowth() throws IOException {
        // Periodic data first (maximal chunks: the buffer must grow), then random data (ordinary chunks).
        byte[] data = new byte[2 * Chunker.MAX_SIZE + 5 * 1024 * 1024];
        System.arraycopy(periodicData(3, 2 * Chunker.MAX_SIZE), 0, data, 0, 2 * Chunker.MAX_SIZE);
        System.arraycopy(ResticInteropTest.random(7, 5 * 1024 * 1024), 0, data, 2 * Chunker.MAX_SIZE, 5 * 1024 * 1024);
        List<byte[]> copies = chunk(TEST_POL, new ByteArrayInputStream(data));
        Chunker chunker = new Chunker(TEST_POL);
        chunker.reset(new ShortReads(new ByteArrayInputStream(data), 11));
        int pos = 0;
        for (byte[] expected : copies) {
            int n = chunker.advance();
            assertThat(n).isEqualTo(expected.length);
            assertThat(java.util.Arrays.equals(chunker.array(), chunker.offset(), chunker.offset() + n, data, pos, pos + n))
                    .as("chunk at %d", pos).isTrue();
            pos += n;
        }
        assertThat(chunker.advance()).isEqualTo(-1);
        assertThat(pos).isEqualTo(data.length);
    }

    private static List<byte[]> checkAgainstReference(Polynomial pol, byte[] data, InputStream in) throws IOException {
        List<byte[]> chunks = chunk(pol, in);
        List<ReferenceChunker.Cut> expected = new ReferenceChunker(pol.value())
                .split(data, Chunker.MIN_SIZE, Chunker.MAX_SIZE, Chunker.SPLIT_MASK);
        assertThat(chunks).extracting(c -> c.length)
                .containsExactlyElementsOf(expected.stream().map(ReferenceChunker.Cut::length).toList());
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < chunks.size(); i++) {
            byte[] c = chunks.get(i);
            assertThat(c.length).isLessThanOrEqualTo(Chunker.MAX_SIZE);
            if (i < chunks.size() - 1) {
                assertThat(c.length).isGreaterThanOrEqualTo(Chunker.MIN_SIZE);
            }
            joined.write(c);
        }
        assertThat(joined.toByteArray()).isEqualTo(data);
        return chunks;
    }

    private static List<byte[]> chunk(Polynomial pol, InputStream in) throws IOException {
        return chunk(new Chunker(pol), in);
    }

    private static List<byte[]> chunk(Chunker chunker, InputStream in) throws IOException {
        chunker.reset(in);
        List<byte[]> out = new ArrayList<>();
        for (byte[] c = chunker.next(); c != null; c = chunker.next()) {
            out.add(c);
        }
        return out;
    }

    private static byte[] periodicData(long seed, int size) {
        byte[] pattern = ResticInteropTest.random(seed, 1021);
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = pattern[i % pattern.length];
        }
        return b;
    }

    /** Returns at most a few KiB per read, to exercise the refill paths. */
    private static final class ShortReads extends FilterInputStream {
        private final SplittableRandom rnd;

        ShortReads(InputStream in, long seed) {
            super(in);
            rnd = new SplittableRandom(seed);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 1 + rnd.nextInt(64 * 1024)));
        }
    }
}
