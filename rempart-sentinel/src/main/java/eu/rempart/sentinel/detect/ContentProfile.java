package eu.rempart.sentinel.detect;

import java.util.Arrays;

/**
 * A compact description of one version of a file: about 80 bytes whatever its size, so a baseline
 * of a whole practice (a few hundred thousand files) stays in memory.
 *
 * @param size         bytes
 * @param kind         what the first bytes say it is
 * @param headEntropy  Shannon entropy of the first KiB, in bits per byte ×30 (0–240)
 * @param blockEntropy entropy of each sampled 4 KiB block, same unit; the blocks sit at fixed
 *                     offsets for a given size, so two versions of a file compare block by block
 * @param randomBlocks bit i set when sampled block i is statistically indistinguishable from random
 *                     bytes (χ² against the uniform distribution), i.e. encrypted or well compressed
 * @param sampleHash   64-bit hash of the sampled bytes: equal for a renamed but unchanged file
 * @param fuzzyHash    TLSH digest of the sample, or null when not computed or too little data
 */
public record ContentProfile(long size, FileKind kind, int headEntropy, byte[] blockEntropy, int randomBlocks,
                             long sampleHash, String fuzzyHash) {
    /** The entropy unit: bits per byte multiplied by this. */
    public static final int SCALE = 30;

    public ContentProfile {
        blockEntropy = blockEntropy.clone();
    }

    /** Entropy of the first KiB in bits per byte. */
    public double headBits() {
        return headEntropy / (double) SCALE;
    }

    public int blocks() {
        return blockEntropy.length;
    }

    /** Entropy of sampled block i in bits per byte. */
    public double blockBits(int i) {
        return (blockEntropy[i] & 0xFF) / (double) SCALE;
    }

    public boolean blockRandom(int i) {
        return (randomBlocks & (1 << i)) != 0;
    }

    public int randomBlockCount() {
        return Integer.bitCount(randomBlocks);
    }

    /** Same bytes where sampled (a rename or a copy, not a rewrite). */
    public boolean sameSample(ContentProfile other) {
        return other != null && size == other.size && sampleHash == other.sampleHash;
    }

    /** Profile with the fuzzy hash attached. */
    ContentProfile withFuzzyHash(String hash) {
        return new ContentProfile(size, kind, headEntropy, blockEntropy, randomBlocks, sampleHash, hash);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContentProfile p && size == p.size && kind == p.kind && headEntropy == p.headEntropy
                && Arrays.equals(blockEntropy, p.blockEntropy) && randomBlocks == p.randomBlocks
                && sampleHash == p.sampleHash && java.util.Objects.equals(fuzzyHash, p.fuzzyHash);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(sampleHash) * 31 + Long.hashCode(size);
    }

    @Override
    public String toString() {
        return "ContentProfile[size=" + size + ", kind=" + kind + ", head=" + String.format("%.2f", headBits())
                + ", random=" + randomBlockCount() + "/" + blocks() + "]";
    }
}
