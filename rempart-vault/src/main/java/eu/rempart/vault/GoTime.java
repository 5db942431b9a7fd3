package eu.rempart.vault;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Timestamps as Go's {@code time.Time} marshals them (RFC 3339 with up to nine fraction digits,
 * trailing zeros dropped, local offset), so our JSON reads like restic's.
 */
public final class GoTime {
    /** Go's zero time, written for unset timestamps. */
    public static final Instant ZERO = Instant.parse("0001-01-01T00:00:00Z");

    private GoTime() {
    }

    public static String format(Instant t) {
        return format(t, ZoneId.systemDefault());
    }

    public static String format(Instant t, ZoneId zone) {
        if (t == null || t.equals(ZERO)) {
            return "0001-01-01T00:00:00Z";
        }
        OffsetDateTime odt = t.atZone(zone).toOffsetDateTime();
        StringBuilder sb = new StringBuilder(40);
        int year = odt.getYear();
        if (year < 0 || year > 9999) {
            // Go refuses to marshal such times; restic clamps them. Keep ours valid likewise.
            odt = year < 0 ? OffsetDateTime.of(0, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)
                    : OffsetDateTime.of(9999, 12, 31, 23, 59, 59, 0, ZoneOffset.UTC);
        }
        pad(sb, odt.getYear(), 4).append('-');
        pad(sb, odt.getMonthValue(), 2).append('-');
        pad(sb, odt.getDayOfMonth(), 2).append('T');
        pad(sb, odt.getHour(), 2).append(':');
        pad(sb, odt.getMinute(), 2).append(':');
        pad(sb, odt.getSecond(), 2);
        int nanos = odt.getNano();
        if (nanos != 0) {
            // Go drops trailing zeros of the fraction (called for every timestamp of every node,
            // so no String.format here: its regex parsing showed up in backup profiles).
            int digits = 9;
            while (nanos % 10 == 0) {
                nanos /= 10;
                digits--;
            }
            pad(sb.append('.'), nanos, digits);
        }
        int off = odt.getOffset().getTotalSeconds();
        if (off == 0) {
            sb.append('Z');
        } else {
            sb.append(off < 0 ? '-' : '+');
            off = Math.abs(off);
            pad(sb, off / 3600, 2).append(':');
            pad(sb, (off / 60) % 60, 2);
        }
        return sb.toString();
    }

    private static StringBuilder pad(StringBuilder sb, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(s);
    }

    public static Instant parse(String s) {
        return parseWithOffset(s).toInstant();
    }

    /** The timestamp with the offset it was written with. */
    public static OffsetDateTime parseWithOffset(String s) {
        try {
            return OffsetDateTime.parse(s);
        } catch (DateTimeParseException e) {
            throw new VaultException("invalid timestamp: " + s, e);
        }
    }
}
