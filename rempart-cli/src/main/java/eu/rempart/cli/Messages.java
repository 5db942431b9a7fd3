package eu.rempart.cli;

import java.text.MessageFormat;
import java.time.Duration;
import java.util.Locale;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/** The translated texts of the command line (French by default, English with {@code --lang en}). */
final class Messages {
    private final ResourceBundle bundle;
    private final Locale locale;
    private final eu.rempart.vault.FailureTexts failures;

    private Messages(ResourceBundle bundle, Locale locale) {
        this.bundle = bundle;
        this.locale = locale;
        this.failures = eu.rempart.vault.FailureTexts.of(locale);
    }

    /** {@code lang} is "fr", "en" or null (French). */
    static Messages of(String lang) {
        Locale l = isEnglish(lang) ? Locale.ENGLISH : Locale.FRENCH;
        // No fallback to the JVM's default locale: an English JVM must still speak French by default.
        ResourceBundle b = ResourceBundle.getBundle("eu.rempart.cli.messages", l,
                ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
        return new Messages(b, l);
    }

    static boolean isEnglish(String lang) {
        return lang != null && lang.toLowerCase(Locale.ROOT).startsWith("en");
    }

    Locale locale() {
        return locale;
    }

    /** The vault's and stores' failures in this language. */
    eu.rempart.vault.FailureTexts failures() {
        return failures;
    }

    /**
     * A text the vault gives in English: this key's translation with these values, or the English
     * as it is, in English or where no translation exists (the vault's text is the only English).
     */
    String orEnglish(String key, String english, Object... args) {
        return locale.equals(Locale.ENGLISH) || !bundle.containsKey(key) ? english : get(key, args);
    }

    /** "path: reason" for a file a backup or restore could not handle, the reason translated if common. */
    String fileError(eu.rempart.vault.snapshot.SnapshotSummary.FileError e) {
        if (e.vaultProblem() != null) {
            return e.path() + ": " + failures.problem(e.vaultProblem(), e.args());
        }
        return e.path() + ": " + e.problem().map(p -> orEnglish("file.problem." + p.name(), e.message()))
                .orElse(e.message());
    }

    String get(String key, Object... args) {
        String pattern;
        try {
            pattern = bundle.getString(key);
        } catch (MissingResourceException e) {
            return key; // a missing translation must never hide the error being reported
        }
        return args.length == 0 ? pattern : new MessageFormat(pattern, locale).format(args);
    }

    /** restic-style sizes with binary units whose names are translated (MiB, Mio…). */
    String bytes(long n) {
        String[] units = {"unit.b", "unit.kib", "unit.mib", "unit.gib", "unit.tib", "unit.pib"};
        if (n < 1024) {
            return n + " " + get(units[0]);
        }
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(locale, "%.3f %s", v, get(units[u]));
    }

    static String duration(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
