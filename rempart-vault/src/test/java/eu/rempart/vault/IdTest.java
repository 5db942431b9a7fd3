package eu.rempart.vault;

import org.junit.jupiter.api.Test;

import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

class IdTest {
    private static final String HEX = Id.hash(new byte[] {1, 2, 3}).toHex();

    /** One rule for "this stored file is named by an id", wherever files are listed. */
    @Test
    void storedNamesAreLowerCaseHexOfTheRightLength() {
        assertThat(Id.isFileName(HEX)).isTrue();
        assertThat(Id.parseOrNull(HEX)).isEqualTo(Id.parse(HEX));
        String upper = HEX.toUpperCase(Locale.ROOT);
        // a person may type an id in capitals; a stored file so named is not one restic or Rempart wrote
        assertThat(Id.parse(upper)).isEqualTo(Id.parse(HEX));
        assertThat(Id.isFileName(upper)).isFalse();
        assertThat(Id.parseOrNull(upper)).isNull();
        for (String other : new String[] {null, "", HEX.substring(1), HEX + "0", HEX.substring(1) + "g",
                HEX + ".tmp", "." + HEX.substring(1), HEX.substring(1) + "\u0660"}) {
            assertThat(Id.isFileName(other)).as(other).isFalse();
            assertThat(Id.parseOrNull(other)).as(other).isNull();
        }
    }
}
