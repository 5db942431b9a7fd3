package eu.rempart.agent;

import eu.rempart.agent.config.AgentConfig;
import eu.rempart.agent.notify.BackupMissing;
import eu.rempart.agent.notify.DailySummary;
import eu.rempart.agent.notify.Notification;
import eu.rempart.agent.notify.Notifier;
import eu.rempart.agent.notify.Notifiers;
import eu.rempart.agent.notify.NotifyException;
import eu.rempart.agent.notify.RunFailed;
import eu.rempart.agent.notify.SmtpNotifier;
import eu.rempart.agent.notify.SmtpSettings;
import eu.rempart.agent.notify.WebhookNotifier;
import eu.rempart.agent.notify.WebhookSettings;
import eu.rempart.agent.store.RunStore;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
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

    /**
     * The channels the configuration names (none: alerts are only logged).
     *
     * @throws IOException if the mail password file cannot be read or an address is invalid
     */
    public static NotifyingAlerts of(AgentConfig cfg, Consumer<String> log) throws IOException {
        List<Notifier> channels = new ArrayList<>();
        AgentConfig.NotificationsConfig n = cfg.notifications();
        Locale lang = cfg.language();
        if (n.email() != null) {
            AgentConfig.EmailConfig e = n.email();
            String password = e.passwordFile() == null ? null : new String(Jobs.password(e.passwordFile()));
            try {
                channels.add(new SmtpNotifier(new SmtpSettings(e.host(), e.port(),
                        SmtpSettings.Security.valueOf(e.security().toUpperCase(Locale.ROOT)), e.username(), password,
                        e.from(), e.to(), e.cacert(), Duration.ofSeconds(30), lang)));
            } catch (IllegalArgumentException x) {
                throw new AgentConfig.ConfigException(cfg.file(), "notifications.email", "email", x.getMessage());
            }
        }
        if (n.webhook() != null) {
            AgentConfig.WebhookConfig w = n.webhook();
            channels.add(new WebhookNotifier(new WebhookSettings(w.url(), w.headers(), w.cacert(), Duration.ofSeconds(30), lang)));
        }
        return new NotifyingAlerts(cfg.host(), new Notifiers(channels), log);
    }

    private void send(Notification n) {
        for (NotifyException failure : notifiers.sendAll(n)) {
            log.accept("alert not delivered: " + failure.getMessage());
        }
    }

    @Override
    public void runFailed(String repository, String job, Instant started, Instant finished, String error) {
        send(new RunFailed(host, repository, job, started, finished, error));
    }

    @Override
    public void backupMissing(String repository, Instant lastSuccess, Duration expected, Instant now) {
        send(new BackupMissing(host, repository, lastSuccess, expected, now));
    }

    @Override
    public void dailySummary(Instant now, List<AgentStatus.RepositoryState> repositories, List<RunStore.Run> runs) {
        List<DailySummary.RepositoryStatus> rs = repositories.stream()
                .map(r -> new DailySummary.RepositoryStatus(r.repository(), r.lastGoodBackup(), r.failuresLast24h())).toList();
        List<DailySummary.RunLine> ls = runs.stream().map(r -> new DailySummary.RunLine(r.repository(), r.kind(), r.started(),
                r.finished() == null ? Duration.ZERO : Duration.between(r.started(), r.finished()),
                r.status() == RunStore.Status.SUCCESS, r.summary())).toList();
        send(new DailySummary(host, now, rs, ls));
    }
}
