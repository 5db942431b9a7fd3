package eu.rempart.vault.forget;

import eu.rempart.vault.snapshot.Snapshot;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;

/**
 * The calendar arithmetic of Go's {@code time} package as restic's policy uses it on a snapshot's
 * time: the wall clock in the offset the time was written with, and {@code AddDate}, which
 * normalises overflowing dates (31 March minus one month is 3 March, not 28 February) and, for a
 * time in Go's Local zone, re-resolves the offset (across a change to or from summer time).
 */
final class GoClock {
    /** Go's zero {@code time.Time}: restic's "latest" when no snapshot is in the past. */
    static final Instant ZERO = Instant.parse("0001-01-01T00:00:00Z");

    private GoClock() {
    }

    /** The snapshot's wall clock, as Go's Year(), Month(), Day(), Hour() see it. */
    static LocalDateTime wallClock(Snapshot s, ZoneId local) {
        ZoneOffset off = s.timeOffset() != null ? s.timeOffset() : local.getRules().getOffset(s.time());
        return LocalDateTime.ofInstant(s.time(), off);
    }

    /**
     * The location Go gives a time decoded from JSON: "Z" is UTC; a numeric offset that Local has
     * at that instant makes it Local (time.Parse's rule); any other is a fixed zone. A time made
     * here (no offset recorded) is Local. An explicit "+00:00" cannot be told from "Z" once parsed;
     * it is taken as UTC (Go and Rempart both write "Z").
     */
    static ZoneId location(Snapshot s, ZoneId local) {
        ZoneOffset off = s.timeOffset();
        if (off == null) {
            return local;
        }
        if (off.getTotalSeconds() == 0) {
            return ZoneOffset.UTC;
        }
        return local.getRules().getOffset(s.time()).equals(off) ? local : off;
    }

    /** Go's {@code t.AddDate(years, months, days)} for the instant {@code t} in {@code loc}. */
    static Instant addDate(Instant t, ZoneId loc, long years, long months, long days) {
        ZoneOffset off = loc.getRules().getOffset(t);
        LocalDateTime wall = LocalDateTime.ofInstant(t, off);
        long month0 = wall.getMonthValue() - 1 + months;
        long year = wall.getYear() + years + Math.floorDiv(month0, 12);
        LocalDate date = LocalDate.of(Math.toIntExact(year), (int) Math.floorMod(month0, 12) + 1, 1)
                .plusDays(wall.getDayOfMonth() - 1 + days);
        long unix = date.atTime(wall.toLocalTime()).toEpochSecond(ZoneOffset.UTC);
        // Go's Date(): the offset in effect at the wall clock read as UTC, corrected once if
        // subtracting it crosses a transition.
        int offset = loc.getRules().getOffset(Instant.ofEpochSecond(unix)).getTotalSeconds();
        if (offset != 0) {
            offset = loc.getRules().getOffset(Instant.ofEpochSecond(unix - offset)).getTotalSeconds();
            unix -= offset;
        }
        return Instant.ofEpochSecond(unix, wall.getNano());
    }

    // restic's bucket keys, from the wall clock

    static long yearMonthDayHour(LocalDateTime d) {
        return d.getYear() * 1_000_000L + d.getMonthValue() * 10_000L + d.getDayOfMonth() * 100L + d.getHour();
    }

    static long yearMonthDay(LocalDateTime d) {
        return d.getYear() * 10_000L + d.getMonthValue() * 100L + d.getDayOfMonth();
    }

    /** Go's ISOWeek: the ISO 8601 week-based year and week number. */
    static long yearWeek(LocalDateTime d) {
        return d.get(IsoFields.WEEK_BASED_YEAR) * 100L + d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
    }

    static long yearMonth(LocalDateTime d) {
        return d.getYear() * 100L + d.getMonthValue();
    }

    static long year(LocalDateTime d) {
        return d.getYear();
    }
}
