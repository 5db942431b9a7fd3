package eu.rempart.agent.notify;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where to POST notifications as JSON: a chat channel, a monitoring system, the IT provider's ticketing.
 *
 * @param url     http or https; credentials in it ({@code https://user:pass@host/...}) are sent as Basic
 *                authentication unless an Authorization header is given
 * @param headers extra request headers, e.g. {@code Authorization: Bearer ...}; values are secret and never
 *                shown by {@link #toString()} nor in error messages
 * @param caFile  PEM file of certificates to trust besides the system's, or null
 * @param timeout for connecting and for each attempt's answer; null means 30 seconds
 * @param locale  language of the "text" field: English for an English locale, French otherwise (null too)
 */
public record WebhookSettings(URI url, Map<String, String> headers, Path caFile, Duration timeout, Locale locale) {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    // set by the HTTP client itself, or by the notifier (the body is JSON)
    private static final Set<String> RESERVED =
            Set.of("connection", "content-length", "expect", "host", "upgrade", "content-type");

    public WebhookSettings {
        Objects.requireNonNull(url, "url");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
            throw new IllegalArgumentException("webhook URL must be http(s)://host/...: " + shown(url));
        }
        Map<String, String> copy = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : (headers == null ? Map.<String, String>of() : headers).entrySet()) {
            String name = Objects.requireNonNull(h.getKey(), "header name");
            String value = Objects.requireNonNull(h.getValue(), "header value");
            if (!TOKEN.matcher(name).matches() || RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("webhook header name not allowed: \"" + name + "\"");
            }
            if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                throw new IllegalArgumentException("webhook header " + name + ": control character in its value");
            }
            copy.put(name, value);
        }
        headers = Collections.unmodifiableMap(copy);
        timeout = timeout == null ? SmtpSettings.DEFAULT_TIMEOUT : timeout;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("webhook timeout must be positive: " + timeout);
        }
        locale = locale == null ? Locale.FRENCH : locale;
    }

    /** Header names only, and the URL without credentials, query or fragment. */
    @Override
    public String toString() {
        return "WebhookSettings[url=" + shown(url) + ", headers=" + headers.keySet() + " (values hidden), caFile="
                + caFile + ", timeout=" + timeout + ", locale=" + locale + "]";
    }

    /** The URL as it may be shown: without user info (credentials), query or fragment (tokens). */
    static String shown(URI url) {
        try {
            return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            return url.getScheme() + "://" + url.getHost();
        }
    }
}
