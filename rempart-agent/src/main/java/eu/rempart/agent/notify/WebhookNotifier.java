package eu.rempart.agent.notify;

import eu.rempart.vault.tls.Pem;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * POSTs notifications as JSON ({@code application/json}, see the fields below) to a URL, with the JDK's
 * HTTP client. Any 2xx answer means delivered. A failed connection, a timeout or an answer saying "try
 * again" (5xx, 408, 425, 429) is retried, three attempts in all with a short growing pause; any other
 * answer (a 4xx: wrong URL or token, a redirection) would only be refused again and fails at once.
 * Redirections are not followed, so the Authorization header only ever goes to the configured host.
 *
 * <p>The JSON: {@code "event"} ({@code run_failed}, {@code backup_missing}, {@code daily_summary}), the
 * notification's fields in snake_case (instants ISO-8601 UTC, durations as {@code *_seconds}),
 * {@code "subject"} and {@code "text"} (subject and body, in the configured language).
 */
public final class WebhookNotifier implements Notifier {
    static final int ATTEMPTS = 3;
    private static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);

    private final WebhookSettings settings;
    private final ZoneId zone;
    private final Duration backoff;
    private final URI target;
    private final Map<String, String> headers;
    private final List<String> secrets;

    /** Times in messages are in the machine's zone; pauses of 1 then 2 seconds between attempts. */
    public WebhookNotifier(WebhookSettings settings) {
        this(settings, ZoneId.systemDefault(), DEFAULT_BACKOFF);
    }

    /** @param backoff the pause after the first failed attempt, doubled after each further one */
    WebhookNotifier(WebhookSettings settings, ZoneId zone, Duration backoff) {
        this.settings = settings;
        this.zone = zone;
        this.backoff = backoff;
        URI url = settings.url();
        Map<String, String> headers = new LinkedHashMap<>(settings.headers());
        List<String> secrets = new ArrayList<>();
        secrets.addAll(settings.headers().values());
        if (url.getRawQuery() != null) {
            secrets.add(url.getRawQuery());
            secrets.add(url.getQuery());
        }
        if (url.getRawUserInfo() != null) {
            // the HTTP client ignores credentials in the URL: they become Basic authentication
            secrets.add(url.getRawUserInfo());
            secrets.add(url.getUserInfo());
            secrets.add(url.getUserInfo().substring(url.getUserInfo().indexOf(':') + 1)); // the password alone
            String basic = Base64.getEncoder().encodeToString(url.getUserInfo().getBytes(StandardCharsets.UTF_8));
            secrets.add(basic);
            if (headers.keySet().stream().noneMatch("Authorization"::equalsIgnoreCase)) {
                headers.put("Authorization", "Basic " + basic);
            }
            String raw = url.toString();
            int at = raw.indexOf('@', raw.indexOf("//") + 2);
            this.target = URI.create(raw.substring(0, raw.indexOf("//") + 2) + raw.substring(at + 1));
        } else {
            this.target = url;
        }
        this.headers = Collections.unmodifiableMap(headers);
        this.secrets = List.copyOf(secrets);
    }

    @Override
    public void send(Notification n) throws NotifyException {
        byte[] body = WebhookJson.of(n, Rendered.of(n, settings.locale(), zone));
        HttpClient client = client();
        HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(settings.timeout());
        headers.forEach(b::header);
        HttpRequest request = b.setHeader("Content-Type", "application/json")
                .setHeader("User-Agent", "Rempart")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        String failure = null;
        IOException cause = null;
        int attempt = 0;
        while (attempt < ATTEMPTS) {
            attempt++;
            try {
                int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status >= 200 && status < 300) {
                    return;
                }
                failure = "HTTP " + status;
                cause = null;
                if (!(status >= 500 || status == 408 || status == 425 || status == 429)) {
                    break;
                }
            } catch (IOException e) {
                failure = describe(e);
                cause = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NotifyException(channel() + ": interrupted");
            }
            if (attempt < ATTEMPTS) {
                pause(backoff.multipliedBy(1L << (attempt - 1)));
            }
        }
        String message = Redaction.clean(channel() + ": " + failure
                + (attempt > 1 ? " (after " + attempt + " attempts)" : ""), secrets);
        throw cause == null ? new NotifyException(message) : new NotifyException(message, cause);
    }

    @Override
    public String toString() {
        return "WebhookNotifier[" + settings + "]";
    }

    /** Made at each sending, so a renewed CA file needs no restart (notifications are rare). */
    private HttpClient client() throws NotifyException {
        HttpClient.Builder b = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER);
        if (settings.caFile() != null) {
            try {
                b.sslContext(Pem.clientContext(List.of(settings.caFile())));
            } catch (IOException e) {
                throw new NotifyException(Redaction.clean(channel() + ": cannot use the CA file " + settings.caFile()
                        + ": " + e.getMessage(), secrets), e);
            }
        }
        return b.build();
    }

    private String describe(IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "no connection within " + settings.timeout().toSeconds() + " s";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer within " + settings.timeout().toSeconds() + " s";
        }
        String network = Causes.network(e, target.getHost(), settings.timeout());
        if (network != null) {
            return network;
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private void pause(Duration d) throws NotifyException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotifyException(channel() + ": interrupted");
        }
    }

    private String channel() {
        return "webhook " + WebhookSettings.shown(settings.url());
    }
}
