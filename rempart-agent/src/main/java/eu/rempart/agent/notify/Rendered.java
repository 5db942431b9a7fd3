package eu.rempart.agent.notify;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** A notification put into words: a one-line subject and a plain-text body ("\n" line ends). */
record Rendered(String subject, String body) {
    private static final Set<String> URGENT_JOBS = Set.of("check", "restore-test");

    static Rendered of(Notification n, Locale locale, ZoneId zone) {
        Texts t = Texts.of(locale, zone);
        if (n instanceof RunFailed f) {
            return runFailed(f, t);
        }
        if (n instanceof BackupMissing m) {
            return backupMissing(m, t);
        }
        if (n instanceof DailySummary s) {
            return dailySummary(s, t);
        }
        throw new IllegalArgumentException("unknown notification " + n.getClass().getName());
    }

    private static Rendered runFailed(RunFailed f, Texts t) {
        boolean known = t.has("job." + f.job() + ".failed");
        String key = known ? f.job() : "other";
        String subject = t.get("runFailed.subject", t.get("job." + key + ".failed", f.repository(), f.job()), f.host());
        Body b = new Body(t);
        b.paragraph(t.get("runFailed.intro", t.get("job." + key + ".the", f.repository(), f.job()), f.host()));
        b.fields(List.of(
                new Field(t.get("label.host"), f.host()),
                new Field(t.get("label.repository"), f.repository()),
                new Field(t.get("label.job"), t.job(f.job())),
                new Field(t.get("label.started"), t.dateTime(f.started())),
                new Field(t.get("label.finished"), t.dateTime(f.finished()) + " ("
                        + t.get("took", Texts.took(Duration.between(f.started(), f.finished()))) + ")"),
                new Field(t.get("label.error"), f.error().isBlank() ? t.get("noDetail") : f.error().strip())));
        b.paragraph(t.get("runFailed.consequence." + key));
        b.heading(t.get("whatToDo"));
        b.text(t.get(URGENT_JOBS.contains(f.job()) ? "runFailed.advice.urgent" : "runFailed.advice"));
        return new Rendered(oneLine(subject), b.end(f.host()));
    }

    private static Rendered backupMissing(BackupMissing m, Texts t) {
        String interval = t.span(m.expectedInterval());
        boolean never = m.lastSuccess() == null;
        String subject = t.get(never ? "backupMissing.subject.never" : "backupMissing.subject", m.repository(), m.host());
        Body b = new Body(t);
        String last;
        if (never) {
            b.paragraph(t.get("backupMissing.intro.never", m.repository(), m.host(), interval));
            last = t.get("never");
        } else {
            String since = t.span(Duration.between(m.lastSuccess(), m.now()));
            b.paragraph(t.get("backupMissing.intro", m.repository(), m.host(), t.dateTime(m.lastSuccess()), since,
                    interval));
            last = t.dateTime(m.lastSuccess()) + " (" + t.get("ago", since) + ")";
        }
        b.fields(List.of(
                new Field(t.get("label.host"), m.host()),
                new Field(t.get("label.repository"), m.repository()),
                new Field(t.get("label.lastSuccess"), last),
                new Field(t.get("label.expectedInterval"), interval),
                new Field(t.get("label.checkedAt"), t.dateTime(m.now()))));
        b.paragraph(t.get("backupMissing.consequence"));
        b.paragraph(t.get("backupMissing.causes"));
        b.heading(t.get("whatToDo"));
        b.text(t.get("backupMissing.advice"));
        return new Rendered(oneLine(subject), b.end(m.host()));
    }

    private static Rendered dailySummary(DailySummary s, Texts t) {
        Set<String> attention = new LinkedHashSet<>();
        for (DailySummary.RepositoryStatus r : s.repositories()) {
            if (r.needsAttention()) {
                attention.add(r.repository());
            }
        }
        for (DailySummary.RunLine r : s.runs()) {
            if (!r.ok()) {
                attention.add(r.repository());
            }
        }
        String subject = attention.isEmpty()
                ? t.get("summary.subject.ok", s.host())
                : t.get("summary.subject.attention", s.host(), attention.size());
        Body b = new Body(t);
        b.paragraph(t.get("summary.intro", s.host(), t.dateTime(s.now())));
        b.heading(t.get("summary.repositories"));
        if (s.repositories().isEmpty()) {
            b.text("  " + t.get("summary.noRepository"));
        }
        for (DailySummary.RepositoryStatus r : s.repositories()) {
            String failures = t.get("summary.failures", r.failuresLast24h());
            String line = r.lastGoodBackup() == null
                    ? t.get("summary.repository.never", r.repository(), failures)
                    : t.get("summary.repository", r.repository(), t.dateTime(r.lastGoodBackup()),
                            t.get("ago", t.span(Duration.between(r.lastGoodBackup(), s.now()))), failures);
            b.item(line + (attention.contains(r.repository()) ? t.get("summary.attentionMark") : ""), null);
        }
        b.blank();
        b.heading(t.get("summary.runs"));
        if (s.runs().isEmpty()) {
            b.text("  " + t.get("summary.noRun"));
        }
        for (DailySummary.RunLine r : s.runs()) {
            b.item(t.get("summary.run", t.dateTime(r.started()), t.job(r.job()), r.repository(),
                    t.get(r.ok() ? "summary.run.ok" : "summary.run.failed"), Texts.took(r.took())),
                    r.summary().isBlank() ? null : r.summary().strip());
        }
        b.blank();
        b.text(t.get(attention.isEmpty() ? "summary.allGood" : "summary.advice"));
        return new Rendered(oneLine(subject), b.end(s.host()));
    }

    /** A subject is one header line: names with line breaks or tabs must not split it. */
    private static String oneLine(String s) {
        return s.replaceAll("[\\p{Cntrl}]+", " ").strip();
    }

    private record Field(String label, String value) {
    }

    /** Builds a body: paragraphs separated by blank lines, aligned fields, indented items. */
    private static final class Body {
        private final Texts t;
        private final StringBuilder sb = new StringBuilder();

        Body(Texts t) {
            this.t = t;
            sb.append(t.get("greeting")).append("\n\n");
        }

        void paragraph(String text) {
            sb.append(text).append("\n\n");
        }

        void heading(String text) {
            sb.append(text).append('\n');
        }

        void text(String text) {
            sb.append(text).append('\n');
        }

        void blank() {
            sb.append('\n');
        }

        /** "  - first line", then the detail (every line of it) indented under it. */
        void item(String line, String detail) {
            sb.append("  - ").append(line).append('\n');
            if (detail != null) {
                for (String l : detail.split("\\R")) {
                    sb.append("      ").append(l).append('\n');
                }
            }
        }

        /**
         * One field a line, values aligned: "  Dépôt      : cabinet" in French (space before the colon),
         * "  Repository: cabinet" in English (colon against the label), per the separator's leading space.
         * A multi-line value stays under its first line.
         */
        void fields(List<Field> fields) {
            String sep = t.get("label.sep");
            boolean spaceBefore = sep.startsWith(" ");
            List<String> heads = new ArrayList<>();
            for (Field f : fields) {
                heads.add(spaceBefore ? f.label() : f.label() + sep.strip());
            }
            int width = heads.stream().mapToInt(String::length).max().orElse(0);
            String after = spaceBefore ? sep : " ";
            String indent = " ".repeat(2 + width + after.length());
            for (int i = 0; i < fields.size(); i++) {
                String[] lines = fields.get(i).value().split("\\R");
                sb.append("  ").append(heads.get(i)).append(" ".repeat(width - heads.get(i).length())).append(after)
                        .append(lines.length == 0 ? "" : lines[0]).append('\n');
                for (int l = 1; l < lines.length; l++) {
                    sb.append(indent).append(lines[l]).append('\n');
                }
            }
            sb.append('\n');
        }

        String end(String host) {
            sb.append("\n-- \n").append(t.get("footer", host)).append('\n');
            return sb.toString();
        }
    }
}
