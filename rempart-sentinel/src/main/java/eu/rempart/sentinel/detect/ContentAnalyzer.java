package eu.rempart.sentinel.detect;

import com.idealista.tlsh.TLSH;
import com.idealista.tlsh.digests.DigestBuilder;
import com.idealista.tlsh.exceptions.InsufficientComplexityException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Predicate;

/**
 * Reads a few sampled blocks of a file and describes them ({@link ContentProfile}). At most 32 KiB
 * are read whatever the file size: the first 4 KiB (where headers and the first encrypted bytes of
 * partial encryption sit) and seven more 4 KiB blocks spread evenly, so intermittent encryption of a
 * few percent of a large file still lands in some samples. One instance per thread (reused buffers).
 */
public final class ContentAnalyzer {
    public static final int BLOCK = 4096;
    public static final int MAX_BLOCKS = 8;
    private static final int HEAD = 1024;
    /** χ² for 255 degrees of freedom stays below this for random bytes with probability ≈ 0.9999. */
    private static final double RANDOM_CHI2 = 255 + 4.5 * Math.sqrt(2 * 255);
    /** n·log2(n) for every count a 4 KiB block can hold: entropy without a log call per byte value. */
    private static final double[] N_LOG_N = new double[BLOCK + 1];

    static {
        for (int n = 1; n <= BLOCK; n++) {
            N_LOG_N[n] = n * (Math.log(n) / Math.log(2));
        }
    }

    private final ByteBuffer buffer = ByteBuffer.allocate(BLOCK * MAX_BLOCKS);
    private final int[] histogram = new int[256];

    /** Profiles the file; the fuzzy hash costs about a millisecond more and is computed only when asked. */
    public ContentProfile profile(Path file, boolean fuzzyHash) throws IOException {
        return profile(file, quick -> fuzzyHash);
    }

    /**
     * Profiles the file, adding the fuzzy hash when {@code fuzzyHashIf} says so of the profile
     * made without it; the hash comes from the bytes already read, not from a second read.
     */
    public ContentProfile profile(Path file, Predicate<ContentProfile> fuzzyHashIf) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            int blocks = blockCount(size);
            byte[] a = buffer.array();
            for (int i = 0; i < blocks; i++) {
                long offset = blockOffset(size, blocks, i);
                ByteBuffer b = ByteBuffer.wrap(a, i * BLOCK, (int) Math.min(BLOCK, size - offset));
                while (b.hasRemaining()) {
                    if (ch.read(b, offset + b.position() - i * BLOCK) < 0) {
                        // shrunk while we read: zeros stand in for the missing tail
                        java.util.Arrays.fill(a, b.position(), b.limit(), (byte) 0);
                        break;
                    }
                }
            }
            ContentProfile quick = describe(a, size, blocks);
            return fuzzyHashIf.test(quick) ? quick.withFuzzyHash(tlsh(a, blocks, size)) : quick;
        }
    }

    /**
     * Profiles a file whose sampled blocks were gathered elsewhere (the backup's read pass): block i
     * of {@link #blockCount} at {@link #blockOffset}, stored at {@code i * BLOCK} in {@code blocks}.
     */
    public ContentProfile profileSampled(byte[] blocks, long size) {
        return describe(blocks, size, blockCount(size));
    }

    /** TLSH distance between two profiles, or -1 when either has no digest (0 = same, above ~200 unrelated). */
    public static int fuzzyDistance(ContentProfile a, ContentProfile b) {
        if (a.fuzzyHash() == null || b.fuzzyHash() == null) {
            return -1;
        }
        return new DigestBuilder().withHash(a.fuzzyHash()).build()
                .calculateDifference(new DigestBuilder().withHash(b.fuzzyHash()).build(), true);
    }

    /** How many 4 KiB blocks are sampled from a file of this size. */
    public static int blockCount(long size) {
        return (int) Math.min(MAX_BLOCKS, (size + BLOCK - 1) / BLOCK);
    }

    /** Block 0 at offset 0; for large files the others spread evenly, 4 KiB aligned, the last at the end. */
    public static long blockOffset(long size, int blocks, int i) {
        if (size <= (long) BLOCK * MAX_BLOCKS || i == 0) {
            return (long) i * BLOCK;
        }
        long lastStart = (size - BLOCK) / BLOCK * BLOCK;
        return (lastStart / (blocks - 1) * i) / BLOCK * BLOCK;
    }

    private ContentProfile describe(byte[] a, long size, int blocks) {
        int headLen = (int) Math.min(HEAD, size);
        FileKind kind = FileKind.of(a, (int) Math.min(BLOCK, size));
        int head = quantize(entropy(a, 0, headLen));
        byte[] entropies = new byte[blocks];
        int random = 0;
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < blocks; i++) {
            int len = (int) Math.min(BLOCK, size - blockOffset(size, blocks, i));
            double e = entropy(a, i * BLOCK, len);
            entropies[i] = (byte) quantize(e);
            if (len >= 512 && e > 7.0 && chiSquare(len) < RANDOM_CHI2) {
                random |= 1 << i;
            }
            for (int k = i * BLOCK; k < i * BLOCK + len; k++) { // FNV-1a: cheap and good enough to spot a rename
                hash = (hash ^ (a[k] & 0xFF)) * 0x100000001b3L;
            }
        }
        return new ContentProfile(size, kind, head, entropies, random, hash, null);
    }

    private static String tlsh(byte[] a, int blocks, long size) {
        int len = (int) Math.min((long) blocks * BLOCK, size);
        if (len < 256) {
            return null;
        }
        // The library takes a String and reads it with charAt: ISO-8859-1 maps each byte to one char.
        try {
            return new TLSH(new String(a, 0, len, StandardCharsets.ISO_8859_1)).hash();
        } catch (InsufficientComplexityException e) {
            return null;
        }
    }

    /** Entropy of a[from, from+len) in bits per byte; leaves the histogram for {@link #chiSquare}. */
    private double entropy(byte[] a, int from, int len) {
        java.util.Arrays.fill(histogram, 0);
        for (int i = from; i < from + len; i++) {
            histogram[a[i] & 0xFF]++;
        }
        if (len == 0) {
            return 0;
        }
        double sum = 0;
        for (int c : histogram) {
            sum += N_LOG_N[c];
        }
        return (Math.log(len) / Math.log(2)) - sum / len;
    }

    private double chiSquare(int len) {
        double expected = len / 256.0;
        double chi = 0;
        for (int c : histogram) {
            double d = c - expected;
            chi += d * d / expected;
        }
        return chi;
    }

    private static int quantize(double bits) {
        return (int) Math.round(Math.max(0, Math.min(8, bits)) * ContentProfile.SCALE);
    }
}
