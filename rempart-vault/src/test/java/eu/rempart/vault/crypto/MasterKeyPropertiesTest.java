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
}
