package eu.rempart.agent.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Alerts as a JSON POST to a URL (a chat, a ticketing system, the IT provider's monitoring). */
public final class WebhookNotifier implements Notifier {
    /** Header values may be secrets (tokens): never printed. */
    public record Settings(URI url, Map<String, String> headers, Path caFile, Duration timeout, Locale locale,
            ZoneId zone, int attempts, Duration backoff) {
        @Override
        public String toString() {
            return "webhook " + safe(url);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Settings s;
    private final Texts texts;

    public WebhookNotifier(Settings settings) {
        this.s = settings;
        this.texts = new Texts(settings.locale(), settings.zone());
    }

    @Override
    public String describe() {
        return s.toString();
    }

    /** The URL without user info and query, which may hold secrets. */
    static String safe(URI u) {
        return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()) + (u.getPath() == null ? "" : u.getPath());
    }

    @Override
    public void send(Notification n) throws NotifyException {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(s.timeout());
        if (s.caFile() != null) {
            try {
                b.sslContext(eu.rempart.vault.tls.Pem.clientContext(List.of(s.caFile())));
            } catch (IOException | RuntimeException e) {
                throw new NotifyException("webhook: cannot use the certificate " + s.caFile() + ": " + e.getMessage());
            }
        }
        HttpClient client = b.build();
        HttpRequest.Builder r = HttpRequest.newBuilder(s.url()).timeout(s.timeout())
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(json(n).toString()));
        s.headers().forEach(r::header);
        HttpRequest req = r.build();
        String last = "";
        for (int attempt = 1; attempt <= Math.max(1, s.attempts()); attempt++) {
            try {
                HttpResponse<Void> resp = client.send(req, HttpResponse.BodyHandlers.discarding());
                if (resp.statusCode() / 100 == 2) {
                    return;
                }
                last = "HTTP " + resp.statusCode();
            } catch (IOException e) {
                last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NotifyException("webhook " + safe(s.url()) + ": interrupted");
            }
            if (attempt < s.attempts()) {
                try {
                    Thread.sleep(s.backoff().toMillis() * attempt);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new NotifyException("webhook " + safe(s.url()) + " failed after " + s.attempts() + " attempts: " + last);
    }

    ObjectNode json(Notification n) {
        ObjectNode o = JSON.createObjectNode();
        o.put("host", n.host());
        if (n instanceof Notification.RunFailed f) {
            o.put("event", "run_failed");
            o.put("repository", f.repository());
            o.put("job", f.job());
            o.put("started", str(f.started()));
            o.put("finished", str(f.finished()));
            o.put("error", f.error());
        } else if (n instanceof Notification.BackupMissing m) {
            o.put("event", "backup_missing");
            o.put("repository", m.repository());
            o.put("last_success", str(m.lastSuccess()));
            o.put("expected_interval_seconds", m.expectedInterval().toSeconds());
            o.put("now", str(m.now()));
        } else {
            Notification.DailySummary d = (Notification.DailySummary) n;
            o.put("event", "daily_summary");
            o.put("now", str(d.now()));
            ArrayNode rs = o.putArray("repositories");
            for (Notification.RepositoryLine r : d.repositories()) {
                rs.addObject().put("repository", r.repository()).put("last_good_backup", str(r.lastGoodBackup()))
                        .put("failures_last_24h", r.failuresLast24h());
            }
            ArrayNode runs = o.putArray("runs");
            for (Notification.RunLine r : d.runs()) {
                runs.addObject().put("repository", r.repository()).put("job", r.job()).put("started", str(r.started()))
                        .put("took_seconds", r.took().toSeconds()).put("ok", r.ok()).put("summary", r.summary());
            }
        }
        o.put("subject", texts.subject(n));
        o.put("text", texts.body(n));
        return o;
    }

    private static String str(Instant t) {
        return t == null ? null : t.toString();
    }
}
