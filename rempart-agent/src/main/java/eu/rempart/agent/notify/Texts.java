package eu.rempart.agent.notify;

import java.text.MessageFormat;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.ResourceBundle;

/** The words of the alerts, from {@code messages*.properties}: French by default, English if asked. */
final class Texts {
    private final ResourceBundle bundle;
    private final Locale locale;
    private final ZoneId zone;

    Texts(Locale locale, ZoneId zone) {
        this.locale = Locale.ENGLISH.getLanguage().equals(locale.getLanguage()) ? Locale.ENGLISH : Locale.FRENCH;
        // no fallback to the JVM's locale: an English Windows still writes French unless told otherwise
        this.bundle = ResourceBundle.getBundle("eu.rempart.agent.notify.messages", this.locale,
                ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
        this.zone = zone;
    }

    String get(String key, Object... args) {
        return new MessageFormat(bundle.getString(key), locale).format(args);
    }

    String time(Instant t) {
        return t == null ? get("never") : DateTimeFormatter.ofPattern(bundle.getString("timeFormat"), locale).withZone(zone).format(t);
    }

    String duration(Duration d) {
        long h = d.toHours();
        if (h >= 48) {
            return get("days", h / 24);
        }
        if (h >= 1) {
            return get("hours", h);
        }
        return get("minutes", Math.max(1, d.toMinutes()));
    }

    String subject(Notification n) {
        if (n instanceof Notification.RunFailed f) {
            return get("runFailed.subject", get("job." + f.job()), f.repository(), f.host());
        }
        if (n instanceof Notification.BackupMissing m) {
            return get("missing.subject", m.repository(), m.host());
        }
        Notification.DailySummary s = (Notification.DailySummary) n;
        return get("summary.subject", s.host(), time(s.now()));
    }

    String body(Notification n) {
        StringBuilder b = new StringBuilder();
        if (n instanceof Notification.RunFailed f) {
            b.append(get("runFailed.body", get("job." + f.job()), f.repository(), f.host(), time(f.started()),
                    time(f.finished()), f.error()));
        } else if (n instanceof Notification.BackupMissing m) {
            b.append(get("missing.body", m.repository(), m.host(),
                    m.lastSuccess() == null ? get("never") : time(m.lastSuccess()), duration(m.expectedInterval())));
        } else {
            Notification.DailySummary s = (Notification.DailySummary) n;
            b.append(get("summary.intro", s.host(), time(s.now()))).append("\n\n");
            for (Notification.RepositoryLine r : s.repositories()) {
                b.append(get("summary.repository", r.repository(), time(r.lastGoodBackup()),
                        r.lastGoodBackup() == null ? "-" : duration(Duration.between(r.lastGoodBackup(), s.now())),
                        r.failuresLast24h())).append('\n');
            }
            b.append('\n').append(get("summary.runs")).append('\n');
            for (Notification.RunLine r : s.runs()) {
                b.append(get("summary.run", time(r.started()), get("job." + r.job()), r.repository(),
                        get(r.ok() ? "ok" : "failed"), r.summary() == null ? "" : r.summary())).append('\n');
            }
        }
        return b.append("\n\n").append(get("footer")).append('\n').toString();
    }
}
