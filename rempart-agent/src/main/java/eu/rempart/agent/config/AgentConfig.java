package eu.rempart.agent.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import eu.rempart.agent.notify.Texts;
import eu.rempart.agent.schedule.Schedule;
import eu.rempart.vault.Sizes;
import eu.rempart.vault.forget.Policy;
import eu.rempart.vault.forget.PolicyDuration;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The agent's configuration, read from one YAML file. Everything is checked when it is read, so a
 * mistake is reported at start with its place in the file, not at 3 a.m. when the job runs.
 *
 * <pre>
 * host: PC-ACCUEIL                 # default: this machine's name
 * state_dir: /var/lib/rempart      # the run history; default ~/.local/share/rempart
 * language: fr                     # fr (default) or en
 * repositories:
 *   local:   {url: /srv/vault, password_file: /etc/rempart/vault.pass}
 *   offsite: {url: "rest:https://vault.example/cabinet/", password_file: ..., cacert: ...}
 * jobs:
 *   - name: cabinet
 *     type: backup                  # backup | forget | check | restore-test
 *     schedule: "0 * * * 1-6"       # cron, five fields
 *     repository: local
 *     paths: [/data/cabinet]
 *     exclude: ["*.tmp"]
 *     iexclude: ["thumbs.db"]       # ignoring case, as Windows names do
 *     exclude_larger_than: 4G       # leave out disk images and the like
 *     one_file_system: true         # mounted shares and disks stay out (mount points kept, empty)
 *     copy_to: [offsite]            # after each backup
 *   - {name: retention, type: forget, schedule: "30 3 * * *", repositories: [local], prune: true,
 *      keep: {within: 30d, daily: 14, weekly: 8, monthly: 12}}
 *   - {name: weekly-check, type: check, schedule: "0 4 * * 0", repositories: [local, offsite], read_data_subset: 10%}
 *   - {name: restore-test, type: restore-test, schedule: "0 5 * * 0", repositories: [local, offsite], files: 20}
 * notifications:
 *   missing_backup_after: 26h       # default: twice the backup interval plus an hour
 *   daily_summary: "0 8 * * *"      # optional
 *   email: {host: smtp.example, port: 587, security: starttls, username: ..., password_file: ...,
 *           from: rempart@cabinet.example, to: [it@provider.example]}
 *   webhook: {url: "https://hooks.example/rempart", headers: {Authorization: "Bearer ..."}}
 * </pre>
 */
public record AgentConfig(Path file, String host, Path stateDir, Locale language,
        Map<String, RepositoryConfig> repositories, List<JobConfig> jobs, NotificationsConfig notifications) {

    /** A repository the jobs use. */
    public record RepositoryConfig(String name, String url, Path passwordFile, Map<String, String> options,
            List<Path> cacerts) {
    }

    /** What a job does. */
    public enum JobType {
        BACKUP("backup"), FORGET("forget"), CHECK("check"), RESTORE_TEST("restore-test");

        public final String key;

        JobType(String key) {
            this.key = key;
        }
    }

    /**
     * A scheduled job. For a backup, {@code repositories} has one element and {@code copyTo} the
     * repositories each new snapshot is then copied to; {@code excludes} says what it leaves out.
     */
    public record JobConfig(String name, JobType type, Schedule schedule, List<String> repositories, List<Path> paths,
            BackupExcludes excludes, List<String> tags, List<String> copyTo, Policy keep, boolean prune,
            String readDataSubset, int files) {
    }

    /**
     * What a backup job leaves out, as {@code backup}'s flags of the same names say it:
     * {@code exclude}, {@code iexclude} (ignoring case), {@code exclude_larger_than} (bytes, 0:
     * no limit) and {@code one_file_system}.
     */
    public record BackupExcludes(List<String> exclude, List<String> iexclude, long excludeLargerThan,
            boolean oneFileSystem) {
        public BackupExcludes {
            exclude = List.copyOf(exclude);
            iexclude = List.copyOf(iexclude);
        }
    }

    /** Where alerts go. {@code email} and {@code webhook} may be null. */
    public record NotificationsConfig(Duration missingBackupAfter, Schedule dailySummary, EmailConfig email,
            WebhookConfig webhook) {
        static final NotificationsConfig NONE = new NotificationsConfig(null, null, null, null);
    }

    /** An SMTP server; the password is read from its file when a message is sent. */
    public record EmailConfig(String host, int port, String security, String username, Path passwordFile,
            String from, List<String> to, Path cacert) {
    }

    /** A URL that receives a JSON POST per alert. Header values may be secrets: never printed. */
    public record WebhookConfig(URI url, Map<String, String> headers, Path cacert) {
        @Override
        public String toString() {
            return "WebhookConfig[url=" + url + ", headers=" + headers.keySet() + "]";
        }
    }

    /** restic's policy with a {@code --keep-within} floor: what a practice keeps unless told otherwise. */
    public static final Policy DEFAULT_KEEP = Policy.builder().keepWithin(PolicyDuration.parse("30d"))
            .keepDaily(14).keepWeekly(8).keepMonthly(12).build();

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /**
     * Reads and checks a configuration file.
     *
     * @param defaultHost the host name snapshots get when the file names none
     * @throws ConfigException saying what is wrong and where
     */
    public static AgentConfig load(Path file, String defaultHost) throws IOException {
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new ConfigException(file, "", "yaml", e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(file, "", "notMapping");
        }
        return new Reader(file, defaultHost).read(root);
    }

    /**
     * A configuration mistake: the file, where in it (as "jobs[2]" or "job \"cabinet\".keep"), and
     * what is wrong, in English ({@link #getMessage()}) or in the reader's language ({@link #describe}).
     */
    public static final class ConfigException extends IOException {
        private final Path file;
        private final String where;
        private final String key;
        private final Object[] args;

        /** @param key a text of the agent's {@link Texts}, less its "config." prefix, with its arguments */
        public ConfigException(Path file, String where, String key, Object... args) {
            super(format(file, where, key, args, Locale.ENGLISH));
            this.file = file;
            this.where = where;
            this.key = key;
            this.args = args.clone();
        }

        /** The mistake in French (any language but English) or English. */
        public String describe(Locale language) {
            return format(file, where, key, args, language);
        }

        private static String format(Path file, String where, String key, Object[] args, Locale language) {
            String what = Texts.of(language, java.time.ZoneId.systemDefault()).get("config." + key, args);
            return file + ": " + (where.isEmpty() ? "" : where + ": ") + what;
        }
    }

    /** The parser: keeps the file for messages and resolves relative paths against its folder. */
    private static final class Reader {
        private final Path file;
        private final Path dir;
        private final String defaultHost;

        Reader(Path file, String defaultHost) {
            this.file = file;
            this.defaultHost = defaultHost;
            Path parent = file.toAbsolutePath().getParent();
            this.dir = parent == null ? Path.of(".") : parent;
        }

        ConfigException bad(String where, String key, Object... args) {
            return new ConfigException(file, where, key, args);
        }

        AgentConfig read(JsonNode root) throws IOException {
            known(root, "", "host", "state_dir", "language", "repositories", "jobs", "notifications");
            String host = text(root, "", "host", null);
            if (host == null) {
                host = defaultHost;
            }
            Path state = path(root, "", "state_dir");
            if (state == null) {
                state = Path.of(System.getProperty("user.home"), ".local", "share", "rempart");
            }
            String lang = text(root, "", "language", "fr");
            Locale language = switch (lang.toLowerCase(Locale.ROOT)) {
                case "fr" -> Locale.FRENCH;
                case "en" -> Locale.ENGLISH;
                default -> throw bad("language", "language", lang);
            };

            Map<String, RepositoryConfig> repos = new LinkedHashMap<>();
            JsonNode rs = root.path("repositories");
            if (!rs.isObject() || rs.isEmpty()) {
                throw bad("repositories", "noRepository");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = rs.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                repos.put(e.getKey(), repository(e.getKey(), e.getValue()));
            }

            List<JobConfig> jobs = new ArrayList<>();
            JsonNode js = root.path("jobs");
            if (!js.isArray() || js.isEmpty()) {
                throw bad("jobs", "noJob");
            }
            Set<String> names = new LinkedHashSet<>();
            for (int i = 0; i < js.size(); i++) {
                JobConfig j = job("jobs[" + i + "]", js.get(i), repos);
                if (!names.add(j.name())) {
                    throw bad("jobs[" + i + "]", "duplicateJob", j.name());
                }
                jobs.add(j);
            }
            NotificationsConfig n = root.has("notifications") ? notifications(root.get("notifications"))
                    : NotificationsConfig.NONE;
            return new AgentConfig(file, host, state, language, Map.copyOf(repos), List.copyOf(jobs), n);
        }

        RepositoryConfig repository(String name, JsonNode n) throws ConfigException {
            String w = "repositories." + name;
            if (!n.isObject()) {
                throw bad(w, "repositoryShape");
            }
            known(n, w, "url", "password_file", "options", "cacert");
            String url = required(n, w, "url");
            Path pw = path(n, w, "password_file");
            if (pw == null) {
                throw bad(w, "noPasswordFile");
            }
            if (!Files.isReadable(pw)) {
                throw bad(w + ".password_file", "unreadable", pw);
            }
            Map<String, String> options = new LinkedHashMap<>();
            n.path("options").fields().forEachRemaining(e -> options.put(e.getKey(), e.getValue().asText()));
            List<Path> cacerts = new ArrayList<>();
            Path ca = path(n, w, "cacert");
            if (ca != null) {
                cacerts.add(ca);
            }
            return new RepositoryConfig(name, url, pw, Map.copyOf(options), List.copyOf(cacerts));
        }

        JobConfig job(String w, JsonNode n, Map<String, RepositoryConfig> repos) throws ConfigException {
            if (!n.isObject()) {
                throw bad(w, "jobShape");
            }
            String name = required(n, w, "name");
            w = "job \"" + name + "\"";
            String typeText = required(n, w, "type");
            JobType type = null;
            for (JobType t : JobType.values()) {
                if (t.key.equals(typeText)) {
                    type = t;
                }
            }
            if (type == null) {
                throw bad(w, "jobType", typeText);
            }
            switch (type) {
                case BACKUP -> known(n, w, "name", "type", "schedule", "repository", "paths", "exclude", "iexclude",
                        "exclude_larger_than", "one_file_system", "tags", "copy_to");
                case FORGET -> known(n, w, "name", "type", "schedule", "repositories", "keep", "prune");
                case CHECK -> known(n, w, "name", "type", "schedule", "repositories", "read_data_subset");
                case RESTORE_TEST -> known(n, w, "name", "type", "schedule", "repositories", "files");
            }
            Schedule schedule = schedule(required(n, w, "schedule"), w);
            List<String> repositories = type == JobType.BACKUP ? List.of(required(n, w, "repository"))
                    : strings(n, w, "repositories");
            if (repositories.isEmpty()) {
                throw bad(w, "missing", "repositories");
            }
            List<String> copyTo = strings(n, w, "copy_to");
            for (String r : concat(repositories, copyTo)) {
                if (!repos.containsKey(r)) {
                    throw bad(w, "unknownRepository", r, String.join(", ", repos.keySet()));
                }
            }
            if (copyTo.contains(repositories.get(0)) && type == JobType.BACKUP) {
                throw bad(w, "copyToSelf");
            }
            List<Path> paths = new ArrayList<>();
            for (String p : strings(n, w, "paths")) {
                paths.add(dir.resolve(p).normalize()); // relative to the file, like every path in it
            }
            if (type == JobType.BACKUP && paths.isEmpty()) {
                throw bad(w, "noPaths");
            }
            Policy keep = type == JobType.FORGET ? keep(n.path("keep"), w) : null;
            String subset = text(n, w, "read_data_subset", null);
            if (subset != null && !subset.matches("\\d+(\\.\\d+)?%|\\d+/\\d+")) {
                throw bad(w, "subset", subset);
            }
            int files = n.path("files").asInt(20);
            if (files <= 0) {
                throw bad(w, "filesPositive");
            }
            String larger = text(n, w, "exclude_larger_than", null);
            long maxSize = 0;
            if (larger != null) {
                try {
                    maxSize = Sizes.parse(larger);
                } catch (IllegalArgumentException e) {
                    throw bad(w, "size", larger);
                }
                if (maxSize == 0) {
                    throw bad(w, "sizeZero");
                }
            }
            JsonNode oneFs = n.path("one_file_system");
            if (!oneFs.isMissingNode() && !oneFs.isBoolean()) {
                throw bad(w, "oneFileSystem");
            }
            BackupExcludes excludes = new BackupExcludes(strings(n, w, "exclude"), strings(n, w, "iexclude"), maxSize,
                    oneFs.asBoolean(false));
            return new JobConfig(name, type, schedule, List.copyOf(repositories), List.copyOf(paths),
                    excludes, strings(n, w, "tags"), copyTo, keep, n.path("prune").asBoolean(false),
                    subset, files);
        }

        Policy keep(JsonNode k, String w) throws ConfigException {
            if (k.isMissingNode() || k.isNull()) {
                return DEFAULT_KEEP;
            }
            known(k, w + ".keep", "last", "hourly", "daily", "weekly", "monthly", "yearly", "within", "tags");
            Policy.Builder b = Policy.builder();
            try {
                b.keepLast(count(k, "last", w)).keepHourly(count(k, "hourly", w)).keepDaily(count(k, "daily", w))
                        .keepWeekly(count(k, "weekly", w)).keepMonthly(count(k, "monthly", w))
                        .keepYearly(count(k, "yearly", w));
                if (k.has("within")) {
                    b.keepWithin(PolicyDuration.parse(k.get("within").asText()));
                }
            } catch (IllegalArgumentException e) {
                throw bad(w + ".keep", "policy", e.getMessage());
            }
            for (String t : strings(k, w + ".keep", "tags")) {
                b.keepTags(List.of(t.split(",")));
            }
            Policy p = b.build();
            if (p.isEmpty()) {
                throw bad(w + ".keep", "keepsNothing");
            }
            return p;
        }

        int count(JsonNode k, String field, String w) throws ConfigException {
            int v = k.path(field).asInt(0);
            if (v < 0) {
                throw bad(w + ".keep." + field, "negative");
            }
            return v;
        }

        NotificationsConfig notifications(JsonNode n) throws ConfigException {
            String w = "notifications";
            known(n, w, "missing_backup_after", "daily_summary", "email", "webhook");
            Duration missing = null;
            String m = text(n, w, "missing_backup_after", null);
            if (m != null) {
                missing = duration(m, w + ".missing_backup_after");
            }
            Schedule summary = null;
            if (n.has("daily_summary")) {
                summary = schedule(n.get("daily_summary").asText(), w + ".daily_summary");
            }
            EmailConfig email = null;
            JsonNode e = n.path("email");
            if (e.isObject()) {
                String we = w + ".email";
                known(e, we, "host", "port", "security", "username", "password_file", "from", "to", "cacert");
                String security = text(e, we, "security", "starttls").toLowerCase(Locale.ROOT);
                if (!List.of("none", "starttls", "tls").contains(security)) {
                    throw bad(we + ".security", "security", security);
                }
                int port = e.path("port").asInt(security.equals("tls") ? 465 : 587);
                List<String> to = strings(e, we, "to");
                if (to.isEmpty()) {
                    throw bad(we, "noRecipient");
                }
                email = new EmailConfig(required(e, we, "host"), port, security, text(e, we, "username", null),
                        path(e, we, "password_file"), required(e, we, "from"), to, path(e, we, "cacert"));
            }
            WebhookConfig webhook = null;
            JsonNode h = n.path("webhook");
            if (h.isObject()) {
                String wh = w + ".webhook";
                known(h, wh, "url", "headers", "cacert");
                URI url;
                try {
                    url = URI.create(required(h, wh, "url"));
                } catch (IllegalArgumentException x) {
                    throw bad(wh + ".url", "notUrl");
                }
                if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme())) {
                    throw bad(wh + ".url", "httpOnly");
                }
                Map<String, String> headers = new LinkedHashMap<>();
                h.path("headers").fields().forEachRemaining(x -> headers.put(x.getKey(), x.getValue().asText()));
                webhook = new WebhookConfig(url, Map.copyOf(headers), path(h, wh, "cacert"));
            }
            return new NotificationsConfig(missing, summary, email, webhook);
        }

        Schedule schedule(String expression, String w) throws ConfigException {
            try {
                return Schedule.parse(expression);
            } catch (IllegalArgumentException e) {
                // the parser's own words (English) stay as the detail
                throw bad(w, "schedule", expression, e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
            }
        }

        /** 90m, 26h, 2d (or ISO-8601, PT26H). */
        Duration duration(String s, String w) throws ConfigException {
            String t = s.strip().toLowerCase(Locale.ROOT);
            try {
                if (t.matches("\\d+[smhd]")) {
                    long v = Long.parseLong(t.substring(0, t.length() - 1));
                    return switch (t.charAt(t.length() - 1)) {
                        case 's' -> Duration.ofSeconds(v);
                        case 'm' -> Duration.ofMinutes(v);
                        case 'h' -> Duration.ofHours(v);
                        default -> Duration.ofDays(v);
                    };
                }
                return Duration.parse(s.strip().toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException | NumberFormatException e) {
                throw bad(w, "duration", s);
            }
        }

        void known(JsonNode n, String w, String... fields) throws ConfigException {
            Set<String> ok = Set.of(fields);
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!ok.contains(f)) {
                    throw bad(w.isEmpty() ? f : w + "." + f, "unknown", String.join(", ", fields));
                }
            }
        }

        String required(JsonNode n, String w, String field) throws ConfigException {
            String v = text(n, w, field, null);
            if (v == null || v.isBlank()) {
                throw bad(w, "missing", field);
            }
            return v;
        }

        String text(JsonNode n, String w, String field, String def) throws ConfigException {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                return def;
            }
            if (!v.isValueNode()) {
                throw bad(w.isEmpty() ? field : w + "." + field, "singleValue");
            }
            return v.asText();
        }

        Path path(JsonNode n, String w, String field) throws ConfigException {
            String v = text(n, w, field, null);
            return v == null ? null : dir.resolve(v).normalize();
        }

        List<String> strings(JsonNode n, String w, String field) throws ConfigException {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                return List.of();
            }
            if (v.isValueNode()) {
                return List.of(v.asText());
            }
            if (!v.isArray()) {
                throw bad(w + "." + field, "list");
            }
            List<String> out = new ArrayList<>();
            v.forEach(x -> out.add(x.asText()));
            return List.copyOf(out);
        }

        static List<String> concat(List<String> a, List<String> b) {
            List<String> out = new ArrayList<>(a);
            out.addAll(b);
            return out;
        }
    }
}
