package eu.rempart.agent.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;

/**
 * The JSON body of a webhook: "event", every field of the notification (instants in ISO-8601 UTC,
 * durations in whole seconds, snake_case names), "subject", and "text": subject and body as one
 * message, the field chat services (Slack, Mattermost, Rocket.Chat…) display.
 */
final class WebhookJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private WebhookJson() {
    }

    static byte[] of(Notification n, Rendered rendered) {
        ObjectNode o = MAPPER.createObjectNode();
        if (n instanceof RunFailed f) {
            o.put("event", "run_failed");
            o.put("host", f.host());
            o.put("repository", f.repository());
            o.put("job", f.job());
            o.put("started", iso(f.started()));
            o.put("finished", iso(f.finished()));
            o.put("duration_seconds", seconds(Duration.between(f.started(), f.finished())));
            o.put("error", f.error());
        } else if (n instanceof BackupMissing m) {
            o.put("event", "backup_missing");
            o.put("host", m.host());
            o.put("repository", m.repository());
            o.put("last_success", iso(m.lastSuccess()));
            o.put("expected_interval_seconds", seconds(m.expectedInterval()));
            o.put("now", iso(m.now()));
        } else if (n instanceof DailySummary s) {
            o.put("event", "daily_summary");
            o.put("host", s.host());
            o.put("now", iso(s.now()));
            ArrayNode repositories = o.putArray("repositories");
            for (DailySummary.RepositoryStatus r : s.repositories()) {
                repositories.addObject()
                        .put("repository", r.repository())
                        .put("last_good_backup", iso(r.lastGoodBackup()))
                        .put("failures_last_24h", r.failuresLast24h());
            }
            ArrayNode runs = o.putArray("runs");
            for (DailySummary.RunLine r : s.runs()) {
                runs.addObject()
                        .put("repository", r.repository())
                        .put("job", r.job())
                        .put("started", iso(r.started()))
                        .put("took_seconds", seconds(r.took()))
                        .put("ok", r.ok())
                        .put("summary", r.summary());
            }
        } else {
            throw new IllegalArgumentException("unknown notification " + n.getClass().getName());
        }
        o.put("subject", rendered.subject());
        o.put("text", rendered.subject() + "\n\n" + rendered.body());
        try {
            return MAPPER.writeValueAsBytes(o); // UTF-8
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON tree not writable", e); // cannot happen with a tree of strings
        }
    }

    private static String iso(Instant t) {
        return t == null ? null : t.toString();
    }

    private static long seconds(Duration d) {
        return d.toSeconds();
    }
}
