package eu.rempart.vault.backend;

import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.backend.rest.RestBackend;
import eu.rempart.vault.backend.s3.S3Backend;
import eu.rempart.vault.tls.Pem;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens a backend from a repository location as restic writes it: a local path (optionally
 * {@code local:PATH}), {@code rest:http(s)://...} or {@code s3:...}. Backend options come as
 * restic's {@code -o key=value}: {@code rest.connections}, {@code rest.timeout} (e.g. 30s, 2m),
 * {@code rest.retries}; {@code s3.region}, {@code s3.bucket-lookup} (auto, dns, path),
 * {@code s3.retries}, {@code s3.timeout}, {@code s3.part-size} (bytes, at least 5 MiB).
 */
public final class Backends {
    private static final Set<String> OPTIONS = Set.of("rest.connections", "rest.timeout", "rest.retries",
            "s3.region", "s3.bucket-lookup", "s3.retries", "s3.timeout", "s3.part-size");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private Backends() {
    }

    /**
     * @param cacerts PEM files of certificates trusted for https servers besides the system's
     *                authorities ({@code --cacert}), for REST and S3 alike
     * @throws IllegalArgumentException for an unknown option or a malformed value or location
     */
    public static Backend open(String location, Map<String, String> options, List<Path> cacerts) throws IOException {
        for (String k : options.keySet()) {
            if (!OPTIONS.contains(k)) {
                throw new IllegalArgumentException("unknown option " + k + " (known: " + String.join(", ", new java.util.TreeSet<>(OPTIONS)) + ")");
            }
        }
        if (location.startsWith("rest:")) {
            RestBackend.Options d = RestBackend.Options.defaults();
            RestBackend.Options o = new RestBackend.Options(
                    positive(options, "rest.connections", d.connections()),
                    options.containsKey("rest.timeout") ? duration(options.get("rest.timeout")) : d.timeout(),
                    options.containsKey("rest.retries") ? nonNegative(options.get("rest.retries")) : d.retries(),
                    cacerts.isEmpty() ? null : Pem.clientContext(cacerts));
            return new RestBackend(location.substring(5), o);
        }
        if (location.startsWith("s3:")) {
            S3Backend.Options d = S3Backend.Options.defaults();
            String lookup = options.getOrDefault("s3.bucket-lookup", "auto");
            Boolean pathStyle = switch (lookup) {
                case "auto" -> null;
                case "path" -> Boolean.TRUE;
                case "dns" -> Boolean.FALSE;
                default -> throw new IllegalArgumentException("s3.bucket-lookup must be auto, dns or path");
            };
            S3Backend.Options o = new S3Backend.Options(options.getOrDefault("s3.region", d.region()), pathStyle,
                    options.containsKey("s3.part-size") ? nonNegative(options.get("s3.part-size")) : d.partSize(),
                    options.containsKey("s3.retries") ? nonNegative(options.get("s3.retries")) : d.retries(),
                    options.containsKey("s3.timeout") ? duration(options.get("s3.timeout")) : d.timeout());
            return new S3Backend(location.substring(3), o, cacerts.isEmpty() ? null : Pem.clientTrust(cacerts));
        }
        if (location.startsWith("sftp:") || location.startsWith("b2:")
                || location.startsWith("azure:") || location.startsWith("gs:") || location.startsWith("rclone:")
                || location.startsWith("swift:")) {
            throw new IllegalArgumentException("repository type " + location.substring(0, location.indexOf(':'))
                    + ": not supported yet (local paths, rest: and s3: are)");
        }
        String path = location.startsWith("local:") ? location.substring(6) : location;
        return new LocalBackend(Path.of(path).toAbsolutePath().normalize());
    }

    private static int positive(Map<String, String> o, String key, int dflt) {
        if (!o.containsKey(key)) {
            return dflt;
        }
        int v = nonNegative(o.get(key));
        if (v == 0) {
            throw new IllegalArgumentException(key + " must be at least 1");
        }
        return v;
    }

    private static int nonNegative(String s) {
        try {
            int v = Integer.parseInt(s.trim());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a count: " + s);
        }
    }

    /** Go-style durations as restic takes them: 500ms, 30s, 2m, 1h. */
    static Duration duration(String s) {
        Matcher m = DURATION.matcher(s.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: " + s + " (e.g. 30s, 2m)");
        }
        long v = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(v);
            case "s" -> Duration.ofSeconds(v);
            case "m" -> Duration.ofMinutes(v);
            default -> Duration.ofHours(v);
        };
        if (d.isZero()) {
            throw new IllegalArgumentException("duration must be positive: " + s);
        }
        return d;
    }
}
