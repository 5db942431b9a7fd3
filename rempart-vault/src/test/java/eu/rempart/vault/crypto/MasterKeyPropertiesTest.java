package eu.rempart.vault.crypto;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MasterKeyPropertiesTest {
    private static final MasterKey KEY = MasterKey.generate();

    @Property(tries = 200)
    void sealThenOpenReturnsThePlaintext(@ForAll @IntRange(min = 0, max = 70000) int size,
                                         @ForAll long seed) {
        byte[] plain = new byte[size];
        new Random(seed).nextBytes(plain);
        byte[] sealed = KEY.seal(plain);
        assertThat(sealed).hasSize(size + MasterKey.OVERHEAD);
        assertThat(KEY.open(sealed)).isEqualTo(plain);
    }

    @Property(tries = 100)
    void sealingInPlaceGivesWhatOpenReadsAndOnlyTheNonceAndMacAround(
            @ForAll @IntRange(min = 0, max = 70000) int size, @ForAll @IntRange(min = 0, max = 40) int at,
            @ForAll long seed) {
        Random rnd = new Random(seed);
        byte[] plain = new byte[size];
        rnd.nextBytes(plain);
        // The plaintext sits where the ciphertext goes, after the nonce's place, with bytes on both
        // sides of the sealed range that must stay as they are.
        byte[] buf = new byte[at + size + MasterKey.OVERHEAD + 7];
        rnd.nextBytes(buf);
        byte[] before = buf.clone();
        System.arraycopy(plain, 0, buf, at + MasterKey.IV_SIZE, size);
        int n = KEY.seal(buf, at + MasterKey.IV_SIZE, size, buf, at);
        assertThat(n).isEqualTo(size + MasterKey.OVERHEAD);
        assertThat(Arrays.copyOfRange(buf, 0, at)).isEqualTo(Arrays.copyOfRange(before, 0, at));
        assertThat(Arrays.copyOfRange(buf, at + n, buf.length)).isEqualTo(Arrays.copyOfRange(before, at + n, buf.length));
        assertThat(KEY.open(buf, at, n)).isEqualTo(plain);
        if (size >= 16) {
            assertThat(Arrays.copyOfRange(buf, at + MasterKey.IV_SIZE, at + MasterKey.IV_SIZE + size)).isNotEqualTo(plain);
        }
    }

    @Property(tries = 100)
    void anySingleBitFlipIsRejected(@ForAll @IntRange(min = 0, max = 70000) int size,
                                    @ForAll long seed) {
        Random rnd = new Random(seed);
        byte[] plain = new byte[size];
        rnd.nextBytes(plain);
        byte[] sealed = KEY.seal(plain);
        byte[] tampered = Arrays.copyOf(sealed, sealed.length);
        tampered[rnd.nextInt(tampered.length)] ^= (byte) (1 << rnd.nextInt(8));
        assertThatThrownBy(() -> KEY.open(tampered)).isInstanceOf(AuthenticationException.class);
    }

    /**
     * Opened piece by piece (pieces of any size, across the 16 KiB chunks the cipher works in),
     * sealed data gives the plaintext {@code open} gives, and a single flipped bit anywhere after
     * the nonce (which only changes the keystream and the MAC key) fails the final verification.
     */
    @Property(tries = 100)
    void openingInPiecesGivesThePlaintextAndRejectsAnyFlippedBit(
            @ForAll @IntRange(min = 0, max = 70000) int size, @ForAll long seed) {
        Random rnd = new Random(seed);
        byte[] plain = new byte[size];
        rnd.nextBytes(plain);
        byte[] sealed = KEY.seal(plain);
        assertThat(openInPieces(sealed, rnd)).isEqualTo(plain);

        byte[] tampered = sealed.clone();
        tampered[rnd.nextInt(tampered.length)] ^= (byte) (1 << rnd.nextInt(8));
        assertThatThrownBy(() -> openInPieces(tampered, rnd)).isInstanceOf(AuthenticationException.class);
    }

    private static byte[] openInPieces(byte[] sealed, Random rnd) {
        byte[] buf = sealed.clone();
        MasterKey.Opening o = KEY.startOpening(buf, 0);
        int end = buf.length - 16;
        for (int at = MasterKey.IV_SIZE; at < end; ) {
            int n = Math.min(end - at, 1 + rnd.nextInt(40000));
            o.decrypt(buf, at, n);
            at += n;
        }
        o.verify(buf, end);
        return Arrays.copyOfRange(buf, MasterKey.IV_SIZE, end);
    }
}
