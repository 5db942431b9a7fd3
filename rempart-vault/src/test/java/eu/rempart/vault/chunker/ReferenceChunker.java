package eu.rempart.vault.chunker;

import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately literal, byte-at-a-time transcription of restic's chunking rules (window array, slide,
 * skipped prefix, counters), sharing no code with {@link Chunker}'s optimised loop, used as an oracle.
 */
final class ReferenceChunker {
    record Cut(int length, long fingerprint) {}

    private final long pol;
    private final int k;
    private final long[] out = new long[256];
    private final long[] mod = new long[256];

    ReferenceChunker(long pol) {
        this.pol = pol;
        this.k = Polynomial.deg(pol);
        for (int b = 0; b < 256; b++) {
            long h = 0;
            h = appendByte(h, b);
            for (int i = 0; i < 63; i++) {
                h = appendByte(h, 0);
            }
            out[b] = h;
            mod[b] = Polynomial.mod((long) b << k, pol) | ((long) b << k);
        }
    }

    private long appendByte(long h, int b) {
        return Polynomial.mod(h << 8 | b, pol);
    }

    List<Cut> split(byte[] data, int minSize, int maxSize, long splitMask) {
        List<Cut> cuts = new ArrayList<>();
        int pos = 0;
        while (pos < data.length) {
            byte[] window = new byte[64];
            int wpos = 0;
            long digest = 0;
            // reset(): slide the byte 1 into the empty window
            digest ^= out[window[wpos] & 0xff];
            window[wpos] = 1;
            wpos = (wpos + 1) % 64;
            digest = update(digest, 1);
            int count = Math.min(minSize - 64, data.length - pos); // skipped, not hashed
            boolean cut = false;
            while (pos + count < data.length) {
                int b = data[pos + count] & 0xff;
                digest ^= out[window[wpos] & 0xff];
                window[wpos] = (byte) b;
                wpos = (wpos + 1) % 64;
                digest = update(digest, b);
                count++;
                if (((digest & splitMask) == 0 || count >= maxSize) && count >= minSize) {
                    cut = true;
                    break;
                }
            }
            cuts.add(new Cut(count, digest));
            pos += count;
            if (!cut) {
                break;
            }
        }
        return cuts;
    }

    private long update(long digest, int b) {
        int index = (int) (digest >>> (k - 8));
        digest <<= 8;
        digest |= b;
        return digest ^ mod[index];
    }
}
