package eu.rempart.sentinel.recover;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;

/** Parses the {@code --since} time. */
public final class RecoverTime {
    private static final DateTimeFormatter SPACED = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss")
            .withResolverStyle(ResolverStyle.STRICT);

    private RecoverTime() {
    }

    /**
     * {@code YYYY-MM-DD HH:MM:SS} or ISO {@code YYYY-MM-DDTHH:MM:SS[.fff]} in {@code zone}, or ISO-8601
     * with an offset or Z ({@code 2026-11-23T10:15:00+01:00}).
     *
     * @throws IllegalArgumentException for anything else
     */
    public static Instant parse(String text, ZoneId zone) {
        String s = text == null ? "" : text.strip();
        try {
            return LocalDateTime.parse(s, SPACED).atZone(zone).toInstant();
        } catch (DateTimeParseException ignored) {
            // try the ISO forms
        }
        try {
            return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException ignored) {
            // no offset
        }
        try {
            return LocalDateTime.parse(s, DateTimeFormatter.ISO_LOCAL_DATE_TIME).atZone(zone).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("invalid time \"" + text
                    + "\": expected YYYY-MM-DD HH:MM:SS (local time) or ISO-8601 such as 2026-11-23T10:15:00+01:00");
        }
    }
}
