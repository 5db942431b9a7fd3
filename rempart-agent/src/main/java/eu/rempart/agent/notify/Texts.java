package eu.rempart.agent.notify;

import java.text.MessageFormat;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * The translated texts of notifications and run summaries: French unless English is asked for,
 * times in one zone.
 */
public final class Texts {
    private static final String BUNDLE = "eu.rempart.agent.notify.messages";

    private final ResourceBundle bundle;
    private final Locale locale;
    private final DateTimeFormatter dateTime;

    private Texts(ResourceBundle bundle, Locale locale, ZoneId zone) {
        this.bundle = bundle;
        this.locale = locale;
        this.dateTime = DateTimeFormatter.ofPattern(bundle.getString("format.dateTime"), locale).withZone(zone);
    }

    /** English for an English locale, French for anything else (null included). */
    public static Texts of(Locale requested, ZoneId zone) {
        Locale l = requested != null && "en".equals(requested.getLanguage()) ? Locale.ENGLISH : Locale.FRENCH;
        // No fallback to the JVM's default locale: an English JVM must still write French by default.
        ResourceBundle b = ResourceBundle.getBundle(BUNDLE, l,
                ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
        return new Texts(b, l, zone);
    }

    Locale locale() {
        return locale;
    }

    /** The MessageFormat pattern {@code key} applied to {@code args}. */
    public String get(String key, Object... args) {
        String pattern;
        try {
            pattern = bundle.getString(key);
        } catch (MissingResourceException e) {
            return key; // a missing translation must not stop the alert itself
        }
        return new MessageFormat(pattern, locale).format(args);
    }

    boolean has(String key) {
        return bundle.containsKey(key);
    }

    /** A size in binary units, one decimal from KiB on: "512 o", "3,4 Mio" (French), "3.4 MiB". */
    public String size(long bytes) {
        String[] units = get("size.units").split(",");
        if (bytes < 1024) {
            return bytes + " " + units[0];
        }
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(locale, "%.1f %s", v, units[u]);
    }

    /** E.g. "22/11/2026 à 14:05" in the zone given. */
    String dateTime(Instant t) {
        return dateTime.format(t);
    }

    /** A length of time in words, to the day and hour or hour and minute: "2 jours et 3 heures". */
    String span(Duration d) {
        long s = Math.max(0, d.getSeconds());
        long days = s / 86_400;
        long hours = s / 3_600;
        long minutes = s / 60;
        if (days >= 2) {
            return and(get("span.days", days), get("span.hours", hours % 24), hours % 24);
        }
        if (hours >= 1) {
            return and(get("span.hours", hours), get("span.minutes", minutes % 60), minutes % 60);
        }
        if (minutes >= 1) {
            return get("span.minutes", minutes);
        }
        return get("span.lessThanMinute");
    }

    private String and(String major, String minor, long minorCount) {
        return minorCount == 0 ? major : get("span.and", major, minor);
    }

    /** How long a run took, compact and the same in both languages: "1 h 05 min", "4 min 12 s", "12 s". */
    static String took(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s >= 3_600) {
            return String.format(Locale.ROOT, "%d h %02d min", s / 3_600, (s / 60) % 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        }
        return s + " s";
    }

    /** What a job is called, e.g. "sauvegarde" for "backup"; an unknown job as given. */
    String job(String job) {
        String key = "job." + job;
        return has(key) ? get(key) : job;
    }
}
