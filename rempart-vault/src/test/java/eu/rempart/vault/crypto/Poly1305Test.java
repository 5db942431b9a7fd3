package eu.rempart.vault.crypto;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.junit.jupiter.api.Test;

import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our Poly1305 against three independent references: Bouncy Castle (the implementation it replaces),
 * a BigInteger transcription of the definition, and published vectors; and every tag also computed
 * by the JDK's Poly1305 (see {@link JdkPoly1305}), which must agree.
 */
class Poly1305Test {
    private static final HexFormat HEX = HexFormat.of();
    private static final BigInteger P = BigInteger.ONE.shiftLeft(130).subtract(BigInteger.valueOf(5));
    private static final byte[] CLAMP = HEX.parseHex("ffffff0ffcffff0ffcffff0ffcffff0f");
    /** The JDK's Poly1305: reachable in every test JVM (the build opens com.sun.crypto.provider). */
    private static final JdkPoly1305 JDK = JdkPoly1305.find();

    // ---- helpers -------------------------------------------------------------------------------

    private static byte[] random(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static byte[] clamp(byte[] r) {
        byte[] c = new byte[16];
        for (int i = 0; i < 16; i++) {
            c[i] = (byte) (r[i] & CLAMP[i]);
        }
        return c;
    }

    /**
     * Our raw Poly1305, fed in pieces cut at the given (sorted, clamped) offsets: Rempart's own loop,
     * which must agree with the JDK's Poly1305 as {@link JdkPoly1305} drives it.
     */
    private static byte[] raw(byte[] r, byte[] s, byte[] msg, int... cuts) {
        byte[] own = raw(new Poly1305(null), r, s, msg, cuts);
        assertThat(raw(new Poly1305(JDK), r, s, msg, cuts)).as("JDK's Poly1305").isEqualTo(own);
        return own;
    }

    private static byte[] raw(Poly1305 p, byte[] r, byte[] s, byte[] msg, int... cuts) {
        p.init(r, 0, s, 0);
        feed(p, msg, cuts);
        byte[] tag = new byte[16];
        p.doFinal(tag, 0);
        return tag;
    }

    /** Our Poly1305-AES as MasterKey runs it (JDK AES for s), with our loop and with the JDK's. */
    private static byte[] polyAes(byte[] k, byte[] r, byte[] nonce, byte[] msg, int... cuts) {
        SecretKeySpec key = new SecretKeySpec(k, "AES");
        byte[] own = polyAes(Engines.get().poly1305Aes(key, clamp(r), nonce, 0, new Poly1305(null)), msg, cuts);
        byte[] jdk = polyAes(Engines.get().poly1305Aes(key, clamp(r), nonce, 0, new Poly1305(JDK)), msg, cuts);
        assertThat(jdk).as("JDK's Poly1305").isEqualTo(own);
        return own;
    }

    private static byte[] polyAes(Poly1305 p, byte[] msg, int... cuts) {
        feed(p, msg, cuts);
        byte[] tag = new byte[16];
        p.doFinal(tag, 0);
        return tag;
    }

    private static void feed(Poly1305 p, byte[] msg, int... cuts) {
        int[] sorted = cuts.clone();
        Arrays.sort(sorted);
        int at = 0;
        for (int cut : sorted) {
            int c = Math.min(Math.max(cut, at), msg.length);
            p.update(msg, at, c - at);
            at = c;
        }
        p.update(msg, at, msg.length - at);
    }

    private static byte[] bcRaw(byte[] r, byte[] s, byte[] msg) {
        org.bouncycastle.crypto.macs.Poly1305 bc = new org.bouncycastle.crypto.macs.Poly1305();
        byte[] key = new byte[32];
        System.arraycopy(r, 0, key, 0, 16);
        System.arraycopy(s, 0, key, 16, 16);
        bc.init(new KeyParameter(key));
        bc.update(msg, 0, msg.length);
        byte[] tag = new byte[16];
        bc.doFinal(tag, 0);
        return tag;
    }

    /** Bouncy Castle's Poly1305-AES, key layout r || k; it clamps r itself. */
    private static byte[] bcAes(byte[] k, byte[] r, byte[] nonce, byte[] msg) {
        org.bouncycastle.crypto.macs.Poly1305 bc = new org.bouncycastle.crypto.macs.Poly1305(AESEngine.newInstance());
        byte[] key = new byte[32];
        System.arraycopy(r, 0, key, 0, 16);
        System.arraycopy(k, 0, key, 16, 16);
        bc.init(new ParametersWithIV(new KeyParameter(key), nonce));
        bc.update(msg, 0, msg.length);
        byte[] tag = new byte[16];
        bc.doFinal(tag, 0);
        return tag;
    }

    private static BigInteger le(byte[] b, int off, int len) {
        byte[] be = new byte[len + 1];
        for (int i = 0; i < len; i++) {
            be[len - i] = b[off + i];
        }
        return new BigInteger(be);
    }

    /** RFC 8439 section 2.5.1, literally, in arbitrary precision. */
    private static byte[] reference(byte[] r, byte[] s, byte[] msg) {
        BigInteger rr = le(clamp(r), 0, 16);
        BigInteger acc = BigInteger.ZERO;
        for (int i = 0; i < msg.length; i += 16) {
            int n = Math.min(16, msg.length - i);
            BigInteger block = le(msg, i, n).setBit(8 * n);
            acc = acc.add(block).multiply(rr).mod(P);
        }
        BigInteger tag = acc.add(le(s, 0, 16));
        byte[] out = new byte[16];
        for (int i = 0; i < 16; i++) {
            out[i] = tag.shiftRight(8 * i).byteValue();
        }
        return out;
    }

    // ---- Bouncy Castle as oracle ---------------------------------------------------------------

    @Property(tries = 500)
    void poly1305AesMatchesBouncyCastleWhateverTheSplits(
        @ForAll @IntRange(max = 300) int length,
        @ForAll @Size(max = 6) List<@IntRange(max = 300) Integer> cuts,
        @ForAll long seed) {
        assertMatchesBouncyCastle(length, cuts, seed);
    }

    @Property(tries = 30)
    void poly1305AesMatchesBouncyCastleOnLargeMessages(
        @ForAll @IntRange(min = 300, max = 1 << 20) int length,
        @ForAll @Size(max = 4) List<@IntRange(max = 1 << 20) Integer> cuts,
        @ForAll long seed) {
        assertMatchesBouncyCastle(length, cuts, seed);
    }

    /** Random key, nonce and message of {@code length} bytes, fed in pieces cut at {@code cuts}. */
    private static void assertMatchesBouncyCastle(int length, List<Integer> cuts, long seed) {
        Random rnd = new Random(seed);
        byte[] k = random(rnd, 16);
        byte[] r = random(rnd, 16);
        byte[] nonce = random(rnd, 16);
        byte[] msg = random(rnd, length);
        int[] at = cuts.stream().mapToInt(Integer::intValue).toArray();
        assertThat(polyAes(k, r, nonce, msg, at)).isEqualTo(bcAes(k, r, nonce, msg));
    }

    @Property(tries = 300)
    void rawPoly1305MatchesBouncyCastle(@ForAll @IntRange(max = 300) int length, @ForAll long seed) {
        Random rnd = new Random(seed);
        byte[] r = random(rnd, 16);
        byte[] s = random(rnd, 16);
        byte[] msg = random(rnd, length);
        assertThat(raw(r, s, msg)).isEqualTo(bcRaw(r, s, msg));
    }

    /** Every length 0..300, whole, byte by byte, and split at a random point, under fresh keys. */
    @Test
    void everyLengthUpTo300MatchesBouncyCastle() {
        Random rnd = new Random(1305);
        for (int length = 0; length <= 300; length++) {
            byte[] k = random(rnd, 16);
            byte[] r = random(rnd, 16);
            byte[] nonce = random(rnd, 16);
            byte[] msg = random(rnd, length);
            byte[] expected = bcAes(k, r, nonce, msg);
            int[] everyByte = new int[length];
            Arrays.setAll(everyByte, i -> i);
            assertThat(polyAes(k, r, nonce, msg)).as("length %d", length).isEqualTo(expected);
            assertThat(polyAes(k, r, nonce, msg, everyByte)).as("length %d bytewise", length).isEqualTo(expected);
            assertThat(polyAes(k, r, nonce, msg, rnd.nextInt(length + 1))).as("length %d split", length)
                .isEqualTo(expected);
        }
    }

    // ---- published vectors ---------------------------------------------------------------------

    /**
     * Bernstein, "The Poly1305-AES message-authentication code", appendix B; also restic's
     * crypto_int_test.go. Each row: msg, r, k, nonce, tag (hex). MasterKeyTest uses them too.
     */
    static final String[][] PAPER_VECTORS = {
        // msg, r, k, nonce, tag
        {"f3f6", "851fc40c3467ac0be05cc20404f3f700", "ec074c835580741701425b623235add6",
            "fb447350c4e868c52ac3275cf9d4327e", "f4c633c3044fc145f84f335cb81953de"},
        {"", "a0f3080000f46400d0c7e9076c834403", "75deaa25c09f208e1dc4ce6b5cad3fbf",
            "61ee09218d29b0aaed7e154a2c5509cc", "dd3fab2251f11ac759f0887129cc2ee7"},
        {"663cea190ffb83d89593f3f476b6bc24d7e679107ea26adb8caf6652d0656136",
            "48443d0bb0d21109c89a100b5ce2c208", "6acb5f61a7176dd320c5c1eb2edcdc74",
            "ae212a55399729595dea458bc621ff0e", "0ee1c16bb73f0f4fd19881753c01cdbe"},
        {"ab0812724a7f1e342742cbed374d94d136c6b8795d45b3819830f2c04491faf0990c62e48b8018b2c3e4a0fa3134cb67"
            + "fa83e158c994d961c4cb21095c1bf9",
            "12976a08c4426d0ce8a82407c4f48207", "e1a5668a4d5b66a5f68cc5424ed5982d",
            "9ae831e743978d3a23527c7128149e3a", "5154ad0d2cb26e01274fc51148491f1b"},
    };

    @Test
    void poly1305AesVectorsFromThePaper() {
        for (String[] v : PAPER_VECTORS) {
            byte[] msg = HEX.parseHex(v[0]);
            byte[] tag = polyAes(HEX.parseHex(v[2]), HEX.parseHex(v[1]), HEX.parseHex(v[3]), msg);
            assertThat(HEX.formatHex(tag)).isEqualTo(v[4]);
        }
    }

    /** RFC 8439 section 2.5.2. */
    @Test
    void rfc8439Example() {
        byte[] key = HEX.parseHex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
        byte[] msg = "Cryptographic Forum Research Group".getBytes(StandardCharsets.US_ASCII);
        byte[] tag = raw(Arrays.copyOfRange(key, 0, 16), Arrays.copyOfRange(key, 16, 32), msg);
        assertThat(HEX.formatHex(tag)).isEqualTo("a8061dc1305136c6c22b8baf0c0127a9");
    }

    /** RFC 8439 appendix A.3, vectors 5 to 11: the ones aimed at carries and the final reduction. */
    @Test
    void rfc8439ReductionVectors() {
        String zero = "00".repeat(16);
        String ff = "ff".repeat(16);
        String r1 = "01" + "00".repeat(15);
        String r2 = "02" + "00".repeat(15);
        String r10 = "0100000000000000" + "0400000000000000";
        String m10 = "e33594d7505e43b90000000000000000" + "3394d7505e4379cd0100000000000000" + zero;
        String[][] vectors = {
            // r, s, msg, tag
            {r2, zero, ff, "03" + "00".repeat(15)},                                   // #5: h = p + small
            {r2, ff, r2, "03" + "00".repeat(15)},                                     // #6: h + s overflows 2^128
            {r1, zero, ff + "f0" + "ff".repeat(15) + "11" + "00".repeat(15),
                "05" + "00".repeat(15)},                                             // #7: carry into an all-ones limb
            {r1, zero, ff + "fb" + "fe".repeat(15) + "01".repeat(16), zero},        // #8: h = p exactly
            {r2, zero, "fd" + "ff".repeat(15), "fa" + "ff".repeat(15)},              // #9: h = p - 1
            {r10, zero, m10 + "01" + "00".repeat(15),
                "1400000000000000" + "5500000000000000"},                            // #10: 131-bit intermediate
            {r10, zero, m10, "13" + "00".repeat(15)},                                // #11
        };
        for (String[] v : vectors) {
            byte[] r = HEX.parseHex(v[0]);
            byte[] s = HEX.parseHex(v[1]);
            byte[] msg = HEX.parseHex(v[2]);
            assertThat(HEX.formatHex(raw(r, s, msg))).as("msg %s", v[2]).isEqualTo(v[3]);
            assertThat(HEX.formatHex(reference(r, s, msg))).as("reference, msg %s", v[2]).isEqualTo(v[3]);
        }
    }

    // ---- edge cases of the limb arithmetic, against the BigInteger definition ------------------

    /** Largest clamped r, all-ones blocks (each block is 2^129 - 1), s all ones: every carry taken. */
    @Test
    void allOnesEverywhere() {
        byte[] ff16 = new byte[16];
        Arrays.fill(ff16, (byte) 0xff);
        for (int length = 0; length <= 20 * 16 + 1; length++) {
            byte[] msg = new byte[length];
            Arrays.fill(msg, (byte) 0xff);
            assertThat(raw(ff16, ff16, msg)).as("length %d", length).isEqualTo(reference(ff16, ff16, msg));
        }
    }

    /**
     * Accumulators driven to the neighbourhood of p = 2^130 - 5: with r = 1 the tag is the plain sum of
     * the blocks mod p, so blocks chosen to sum to p + d for small d must give d (plus s).
     */
    @Test
    void sumsLandingNextToTheModulus() {
        byte[] one = new byte[16];
        one[0] = 1;
        byte[] s = new byte[16];
        BigInteger max = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);
        for (int d = -8; d <= 8; d++) {
            // Full blocks are 2^128 + v with v < 2^128. Two blocks reach at most p + 3, so d > 3 takes a
            // third (zero-valued) block: the values must then sum to p + d - 3 * 2^128 = 2^128 - 5 + d.
            int blocks = d <= 3 ? 2 : 3;
            BigInteger rest = P.add(BigInteger.valueOf(d)).subtract(BigInteger.ONE.shiftLeft(128).multiply(
                BigInteger.valueOf(blocks)));
            byte[] msg = new byte[16 * blocks];
            put(msg, 0, max);
            put(msg, 16, rest.subtract(max));
            assertThat(rest.subtract(max).signum()).isNotNegative();
            assertThat(rest.subtract(max).bitLength()).isLessThanOrEqualTo(128);
            byte[] expected = reference(one, s, msg);
            assertThat(raw(one, s, msg)).as("d = %d", d).isEqualTo(expected);
            BigInteger sum = d < 0 ? P.add(BigInteger.valueOf(d)) : BigInteger.valueOf(d);
            assertThat(le(expected, 0, 16)).isEqualTo(sum.mod(BigInteger.ONE.shiftLeft(128)));
        }
    }

    /**
     * Crafted for the 26-bit limbs with r = 1: the last block leaves h4 = 2^26 and h0 just below 2^26, so
     * a single final carry pass would wrap into h1 = 2^26 and the packing would drop bit 53.
     */
    @Test
    void finalCarryThatOverflowsALimbTwice() {
        byte[] one = new byte[16];
        one[0] = 1;
        byte[] msg = HEX.parseHex("00000000000010000000000000000000" + "00000000000010000000000000000000"
            + "fd" + "ff".repeat(15));
        byte[] tag = raw(one, new byte[16], msg);
        assertThat(tag).isEqualTo(reference(one, new byte[16], msg));
        assertThat(le(tag, 0, 16)).isEqualTo(BigInteger.ONE.shiftLeft(53).add(BigInteger.TWO));
    }

    /** Random r whose limbs sit at their clamped maxima or minima, random near-all-ones messages. */
    @Property(tries = 300)
    void extremeLimbsMatchTheDefinition(@ForAll @IntRange(max = 200) int length, @ForAll long seed) {
        Random rnd = new Random(seed);
        byte[] r = new byte[16];
        for (int i = 0; i < 16; i++) {
            r[i] = (byte) (rnd.nextInt(4) == 0 ? rnd.nextInt() : rnd.nextBoolean() ? 0xff : 0);
        }
        byte[] s = random(rnd, 16);
        byte[] msg = new byte[length];
        for (int i = 0; i < length; i++) {
            msg[i] = (byte) (rnd.nextInt(8) == 0 ? rnd.nextInt() : 0xff);
        }
        assertThat(raw(r, s, msg, rnd.nextInt(length + 1))).isEqualTo(reference(r, s, msg));
    }

    private static void put(byte[] b, int off, BigInteger v) {
        for (int i = 0; i < 16; i++) {
            b[off + i] = v.shiftRight(8 * i).byteValue();
        }
    }

    // ---- object behaviour ----------------------------------------------------------------------

    @Test
    void reusableAfterDoFinalAndHonoursOffsets() {
        Random rnd = new Random(7);
        byte[] r = random(rnd, 16);
        byte[] s = random(rnd, 16);
        byte[] msg = random(rnd, 100);
        byte[] framed = new byte[140];
        System.arraycopy(msg, 0, framed, 13, 100);
        byte[] keys = new byte[50];
        System.arraycopy(r, 0, keys, 3, 16);
        System.arraycopy(s, 0, keys, 29, 16);

        Poly1305 p = new Poly1305();
        p.init(keys, 3, keys, 29);
        p.update(framed, 13, 37);
        p.update(framed, 50, 0);
        p.update(framed, 50, 63);
        byte[] out = new byte[20];
        p.doFinal(out, 4);
        assertThat(Arrays.copyOfRange(out, 4, 20)).isEqualTo(bcRaw(r, s, msg));

        // A second message on the same instance starts from scratch: nothing of the first remains.
        p.init(r, 0, s, 0);
        p.update(msg, 0, 5);
        byte[] tag = new byte[16];
        p.doFinal(tag, 0);
        assertThat(tag).isEqualTo(bcRaw(r, s, Arrays.copyOf(msg, 5)));
    }

    /** The build's test JVMs open the JDK's class; the vault's make it the default, as bin/rempart may. */
    @Test
    void theJdksPoly1305IsReachableAndTheVaultsTestsUseIt() {
        assertThat(JDK).isNotNull();
        assertThat(System.getProperty(JdkPoly1305.PROPERTY)).isEqualTo("jdk");
        assertThat(JdkPoly1305.DEFAULT).isNotNull();
    }

    /** A second message on a JDK-backed instance forgets the first, and offsets are honoured. */
    @Test
    void jdkBackedInstanceIsReusableAndHonoursOffsets() {
        Random rnd = new Random(8);
        byte[] r = random(rnd, 16);
        byte[] s = random(rnd, 16);
        byte[] msg = random(rnd, 1000);
        Poly1305 p = new Poly1305(JDK);
        for (int round = 0; round < 3; round++) {
            p.init(r, 0, s, 0);
            p.update(msg, 7, 3);
            p.update(msg, 10, 990);
            byte[] out = new byte[19];
            p.doFinal(out, 3);
            assertThat(Arrays.copyOfRange(out, 3, 19)).isEqualTo(bcRaw(r, s, Arrays.copyOfRange(msg, 7, 1000)));
        }
        assertThat(p.toString()).isEqualTo("Poly1305[***]");
    }

    @Test
    void toStringRevealsNothing() {
        Poly1305 p = new Poly1305();
        p.init(CLAMP, 0, CLAMP, 0);
        assertThat(p.toString()).isEqualTo("Poly1305[***]");
    }
}
