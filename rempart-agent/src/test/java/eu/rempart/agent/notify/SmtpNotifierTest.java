package eu.rempart.agent.notify;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Encrypted mail is never sent in the clear or to an unverified server: TLS to a server whose
 * certificate is not trusted fails, and STARTTLS, once asked for, is required. English when asked.
 */
class SmtpNotifierTest {
    @RegisterExtension
    static GreenMailExtension smtp = new GreenMailExtension(new ServerSetup[] {
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP),
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS)});

    static final Notification FAILED = new Notification.RunFailed("PC-ACCUEIL", "local", "backup",
            Instant.parse("2026-11-22T13:05:00Z"), Instant.parse("2026-11-22T13:06:00Z"), "disk full");

    SmtpNotifier notifier(int port, SmtpNotifier.Security security, Locale locale) {
        return new SmtpNotifier(new SmtpNotifier.Settings("127.0.0.1", port, security, null, null, "agent@cabinet.test",
                List.of("it@prestataire.test"), null, Duration.ofSeconds(10), locale, ZoneId.of("Europe/Paris")));
    }

    @Test
    void tlsToAnUntrustedServerFails() {
        assertThatThrownBy(() -> notifier(smtp.getSmtps().getPort(), SmtpNotifier.Security.TLS, Locale.FRENCH).send(FAILED))
                .isInstanceOf(Notifier.NotifyException.class)
                .hasMessageContaining("e-mail via 127.0.0.1:" + smtp.getSmtps().getPort() + " failed");
        assertThat(smtp.getReceivedMessages()).isEmpty();
    }

    @Test
    void starttlsIsNeverDowngradedToPlainText() {
        assertThatThrownBy(() -> notifier(smtp.getSmtp().getPort(), SmtpNotifier.Security.STARTTLS, Locale.FRENCH).send(FAILED))
                .isInstanceOf(Notifier.NotifyException.class);
        assertThat(smtp.getReceivedMessages()).isEmpty();
    }

    @Test
    void plainSmtpInEnglish() throws Exception {
        notifier(smtp.getSmtp().getPort(), SmtpNotifier.Security.NONE, Locale.ENGLISH).send(FAILED);
        var m = smtp.getReceivedMessages()[0];
        assertThat(m.getSubject()).isEqualTo("[Rempart] Failed: the backup \"local\" on PC-ACCUEIL");
        assertThat((String) m.getContent()).contains("Started: 2026-11-22 at 14:05", "Error: disk full", "IT provider");
    }
}
