package eu.rempart.agent;

import eu.rempart.agent.config.AgentConfig;
import eu.rempart.agent.notify.Notification;
import eu.rempart.agent.notify.Notifier;
import eu.rempart.agent.notify.Notifiers;
import eu.rempart.agent.notify.SmtpNotifier;
import eu.rempart.agent.notify.WebhookNotifier;
import eu.rempart.agent.store.RunStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/** {@link Alerts} sent through the channels of the configuration; delivery failures go to the log. */
public final class NotifyingAlerts implements Alerts {
    private final String host;
    private final Notifiers notifiers;
    private final Consumer<String> log;

    public NotifyingAlerts(String host, Notifiers notifiers, Consumer<String> log) {
        this.host = host;
        this.notifiers = notifiers;
        this.log = log;
    }

    /** The channels the configuration names (none: alerts are only logged). */
    public static NotifyingAlerts of(AgentConfig cfg, Consumer<String> log) {
        List<Notifier> channels = new ArrayList<>();
        AgentConfig.NotificationsConfig n = cfg.notifications();
        ZoneId zone = ZoneId.systemDefault();
        Locale lang = cfg.language();
        if (n.email() != null) {
            AgentConfig.EmailConfig e = n.email();
            channels.add(new SmtpNotifier(new SmtpNotifier.Settings(e.host(), e.port(),
                    SmtpNotifier.Security.valueOf(e.security().toUpperCase(Locale.ROOT)), e.username(),
                    e.passwordFile() == null ? null : () -> {
                        try {
                            return Jobs.password(e.passwordFile());
                        } catch (IOException x) {
                            throw new UncheckedIOException(x);
                        }
                    }, e.from(), e.to(), e.cacert(), Duration.ofSeconds(30), lang, zone)));
        }
        if (n.webhook() != null) {
            AgentConfig.WebhookConfig w = n.webhook();
            channels.add(new WebhookNotifier(new WebhookNotifier.Settings(w.url(), w.headers(), w.cacert(),
                    Duration.ofSeconds(30), lang, zone, 3, Duration.ofSeconds(5))));
        }
        return new NotifyingAlerts(cfg.host(), new Notifiers(channels), log);
    }

    private void send(Notification n) {
        if (notifiers.isEmpty()) {
            return;
        }
        for (String failure : notifiers.send(n)) {
            log.accept("alert not delivered: " + failure);
        }
    }

    @Override
    public void runFailed(String repository, String job, Instant started, Instant finished, String error) {
        send(new Notification.RunFailed(host, repository, job, started, finished, error));
    }

    @Override
    public void backupMissing(String repository, Instant lastSuccess, Duration expected, Instant now) {
        send(new Notification.BackupMissing(host, repository, lastSuccess, expected, now));
    }

    @Override
    public void dailySummary(Instant now, List<AgentStatus.RepositoryState> repositories, List<RunStore.Run> runs) {
        List<Notification.RepositoryLine> rs = repositories.stream()
                .map(r -> new Notification.RepositoryLine(r.repository(), r.lastGoodBackup(), r.failuresLast24h())).toList();
        List<Notification.RunLine> ls = runs.stream().map(r -> new Notification.RunLine(r.repository(), r.kind(), r.started(),
                r.finished() == null ? Duration.ZERO : Duration.between(r.started(), r.finished()),
                r.status() == RunStore.Status.SUCCESS, r.summary())).toList();
        send(new Notification.DailySummary(host, now, rs, ls));
    }
}
