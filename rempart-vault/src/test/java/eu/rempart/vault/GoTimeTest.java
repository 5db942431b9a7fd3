package eu.rempart.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class GoTimeTest {
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    @Test
    void dropsTrailingZerosOfTheFractionAsGoDoes() {
        Instant t = Instant.parse("2024-07-01T10:00:00Z");
        assertThat(GoTime.format(t, ZoneOffset.UTC)).isEqualTo("2024-07-01T10:00:00Z");
        assertThat(GoTime.format(t.plusNanos(500_000_000), ZoneOffset.UTC)).isEqualTo("2024-07-01T10:00:00.5Z");
        assertThat(GoTime.format(t.plusNanos(123_456_789), ZoneOffset.UTC)).isEqualTo("2024-07-01T10:00:00.123456789Z");
        assertThat(GoTime.format(t.plusNanos(1_000), ZoneOffset.UTC)).isEqualTo("2024-07-01T10:00:00.000001Z");
        assertThat(GoTime.format(t.plusNanos(1), ZoneOffset.UTC)).isEqualTo("2024-07-01T10:00:00.000000001Z");
    }

    @Test
    void writesTheLocalOffsetAndParsesBack() {
        Instant summer = Instant.parse("2024-07-01T10:00:00.25Z");
        Instant winter = Instant.parse("2024-01-01T10:00:00Z");
        assertThat(GoTime.format(summer, PARIS)).isEqualTo("2024-07-01T12:00:00.25+02:00");
        assertThat(GoTime.format(winter, PARIS)).isEqualTo("2024-01-01T11:00:00+01:00");
        assertThat(GoTime.format(winter, ZoneId.of("America/St_Johns"))).isEqualTo("2024-01-01T06:30:00-03:30");
        assertThat(GoTime.parse(GoTime.format(summer, PARIS))).isEqualTo(summer);
    }

    @Test
    void zeroTimeIsGosZeroValue() {
        assertThat(GoTime.format(GoTime.ZERO, PARIS)).isEqualTo("0001-01-01T00:00:00Z");
        assertThat(GoTime.format(null, PARIS)).isEqualTo("0001-01-01T00:00:00Z");
    }
}
