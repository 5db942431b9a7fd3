package eu.rempart.vault.chunker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class PolynomialTest {

    /** Irreducibility vectors from restic/chunker v0.4.0 polynomials_test.go. */
    private static final long[][] IRREDUCIBLE_VECTORS = {
        {0x38f1e565e288dfL, 0}, {0x3DA3358B4DC173L, 1}, {0x30a8295b9d5c91L, 0}, {0x255f4350b962cbL, 0},
        {0x267f776110a235L, 0}, {0x2f4dae10d41227L, 0}, {0x2482734cacca49L, 1}, {0x312daf4b284899L, 0},
        {0x29dfb6553d01d1L, 0}, {0x3548245eb26257L, 0}, {0x3199e7ef4211b3L, 0}, {0x362f39017dae8bL, 0},
        {0x200d57aa6fdacbL, 0}, {0x35e0a4efa1d275L, 0}, {0x2ced55b026577fL, 0}, {0x260b012010893dL, 0},
        {0x2df29cbcd59e9dL, 0}, {0x3f2ac7488bd429L, 0}, {0x3e5cb1711669fbL, 0}, {0x226d8de57a9959L, 0},
        {0x3c8de80aaf5835L, 0}, {0x2026a59efb219bL, 0}, {0x39dfa4d13fb231L, 0}, {0x3143d0464b3299L, 0},
    };

    @Test
    void irreducibilityMatchesResticVectors() {
        for (long[] v : IRREDUCIBLE_VECTORS) {
            assertThat(Polynomial.of(v[0]).isIrreducible()).as("0x%x", v[0]).isEqualTo(v[1] == 1);
        }
    }

    @Test
    void arithmeticMatchesResticVectors() {
        // Mod, GCD and MulMod vectors from restic/chunker v0.4.0 polynomials_test.go
        assertThat(Polynomial.mod(10, 50)).isEqualTo(10);
        assertThat(Polynomial.mod(0b101101001, 0b1010)).isEqualTo(1);
        assertThat(Polynomial.mod(0x8000000000000000L, 0x8000000000000000L)).isZero();
        assertThat(Polynomial.mod(0b1100001111, 0b10011)).isZero();
        assertThat(Polynomial.gcd(10, 50)).isEqualTo(2);
        assertThat(Polynomial.gcd(0b1010, 0b11)).isEqualTo(0b11);
        assertThat(Polynomial.gcd(0b1100, 0b101)).isEqualTo(0b11);
        assertThat(Polynomial.gcd(0x3DA3358B4DC173L, 0x230d2259defdL)).isEqualTo(1);
        assertThat(Polynomial.gcd(0x230d2259defdL, 0x51b492b3eff2L)).isEqualTo(0b10011);
        assertThat(Polynomial.gcd(0x51b492b3eff2L, 0x230d2259defdL)).isEqualTo(0b10011);
        assertThat(Polynomial.mulMod(0x1230, 0x230, 0x55)).isEqualTo(0x22);
        assertThat(Polynomial.mulMod(0x0eae8c07dbbb3026L, 0xd5d6db9de04771deL, 0xdd2bda3b77c9L))
                .isEqualTo(0x425ae8595b7aL);
        assertThat(Polynomial.deg(0)).isEqualTo(-1);
        assertThat(Polynomial.of(0x3af4b284899L).degree()).isEqualTo(41);
    }

    @Test
    void randomPolynomialsAreIrreducibleOfDegree53() {
        SecureRandom rnd = new SecureRandom();
        for (int i = 0; i < 20; i++) {
            Polynomial p = Polynomial.random(rnd);
            assertThat(p.degree()).isEqualTo(53);
            assertThat(p.value() & 1).isEqualTo(1);
            assertThat(p.isIrreducible()).isTrue();
            assertThat(Polynomial.parse(p.toHex())).isEqualTo(p);
        }
    }

    @Test
    void irreduciblePolynomialsHaveNoFactorOfLowDegree() {
        // Independent check of Ben-Or's test: trial division by every polynomial of degree 1..12.
        SecureRandom rnd = new SecureRandom();
        Polynomial p = Polynomial.random(rnd);
        for (long d = 2; d < 1L << 13; d++) {
            assertThat(Polynomial.mod(p.value(), d)).as("divisor 0x%x", d).isNotZero();
        }
        // and a product of two polynomials is reducible
        long a = 0x2482734cacca49L & ((1L << 30) - 1) | 1L << 29, b = 0b10011;
        long product = 0;
        for (int i = 0; i <= Polynomial.deg(b); i++) {
            if ((b >>> i & 1) != 0) {
                product ^= a << i;
            }
        }
        assertThat(Polynomial.of(product).isIrreducible()).isFalse();
    }

    @Property(tries = 200)
    void hexRoundTrip(@ForAll long value) {
        Polynomial p = Polynomial.of(value);
        assertThat(p.toHex()).isEqualTo(Long.toHexString(value));
        assertThat(Polynomial.parse(p.toHex())).isEqualTo(p).hasSameHashCodeAs(p);
    }

    @Test
    void parsesResticConfigValueAndRejectsGarbage() {
        assertThat(Polynomial.parse("3da3358b4dc173").value()).isEqualTo(0x3DA3358B4DC173L);
        assertThat(Polynomial.of(0x3DA3358B4DC173L).toHex()).isEqualTo("3da3358b4dc173");
        assertThat(Polynomial.of(0x3DA3358B4DC173L)).hasToString("Polynomial[0x3da3358b4dc173]");
        for (String bad : new String[] {"", "0x3da3", "+3da3", "-1", "3da3 ", "12345678901234567", "xyz"}) {
            assertThatThrownBy(() -> Polynomial.parse(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> Polynomial.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
