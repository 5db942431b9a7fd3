package eu.rempart.vault;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SizesTest {
    @Test
    void bytesOrPowersOf1024InEitherCase() {
        assertThat(Sizes.parse("4096")).isEqualTo(4096);
        assertThat(Sizes.parse("0")).isZero();
        assertThat(Sizes.parse("2k")).isEqualTo(2048);
        assertThat(Sizes.parse(" 3M ")).isEqualTo(3L << 20);
        assertThat(Sizes.parse("500G")).isEqualTo(500L << 30);
        assertThat(Sizes.parse("2t")).isEqualTo(2L << 40);
    }

    @Test
    void anythingElseIsRefusedWithTheTextGiven() {
        for (String bad : new String[] {"", "G", "-1", "1.5G", "5X", "lots", "9999999999t"}) {
            assertThatThrownBy(() -> Sizes.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("invalid size \"" + bad + "\"");
        }
    }
}
