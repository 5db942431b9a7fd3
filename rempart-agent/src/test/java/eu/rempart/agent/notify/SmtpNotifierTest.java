package eu.rempart.agent.notify;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against GreenMail's real SMTP (with AUTH) and SMTPS servers on 127.0.0.1, and a real STARTTLS front. */
class SmtpNotifierTest {
    private static final String USER = "rempart";
    private static final String PASSWORD = "Tr0ub4dor&3-secret";

    static {
        TestCertificates.useForGreenMail(); // before the extension below starts any server
    }

    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(new ServerSetup[]{
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP),
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS)})
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("rempart@cabinet.test", USER, PASSWORD));

    private final TestCertificates certs = TestCertificates.get();

    private SmtpSettings settings(int port, SmtpSettings.Security security, String password, Locale locale) {
        return new SmtpSettings("127.0.0.1", port, security, USER, password, "Rempart Cabinet Médical <rempart@cabinet.test>",
                List.of("dr.dupont@cabinet.test", "support@prestataire.test"),
                security == SmtpSettings.Security.NONE ? null : certs.goodPem, Duration.ofSeconds(10), locale);
    }

    private static int smtpPort() {
        return MAIL.getSmtp().getPort();
    }

    private static int smtpsPort() {
        return MAIL.getSmtps().getPort();
    }

    @Test
    void plainSmtpWithLoginDeliversTheFrenchMessageToEveryRecipient() throws Exception {
        new SmtpNotifier(settings(smtpPort(), SmtpSettings.Security.NONE, PASSWORD, Locale.FRENCH), Samples.PARIS)
                .send(Samples.runFailed());

        MimeMessage[] received = MAIL.getReceivedMessages();
        assertThat(received).hasSize(2); // one copy per recipient mailbox
        MimeMessage m = received[0];
        assertThat(Arrays.stream(m.getRecipients(Message.RecipientType.TO)).map(Address::toString))
                .containsExactly("dr.dupont@cabinet.test", "support@prestataire.test");
        assertThat(m.getFrom()[0].toString()).contains("rempart@cabinet.test");
        assertThat(m.getHeader("From")[0]).contains("=?UTF-8?"); // the accented name travels encoded
        assertThat(m.getSubject()).isEqualTo("[Rempart] Échec de la sauvegarde « cabinet » sur PC-ACCUEIL");
        assertThat(m.getContentType()).containsIgnoringCase("text/plain").containsIgnoringCase("charset=UTF-8");
        assertThat(m.getHeader("Auto-Submitted")).containsExactly("auto-generated");
        String body = (String) m.getContent();
        assertThat(body)
                .contains("La sauvegarde du dépôt « cabinet » a échoué sur l’ordinateur PC-ACCUEIL.")
                .contains("Début      : 22/11/2026 à 14:05")
                .contains("Fin        : 22/11/2026 à 14:07 (durée 2 min 30 s)")
                .contains("disque de sauvegarde E:\\ introuvable (périphérique débranché ?)")
                .contains("dossiers patients")
                .contains("contactez votre prestataire informatique");
    }

    @Test
    void englishWhenAskedFor() throws Exception {
        new SmtpNotifier(settings(smtpPort(), SmtpSettings.Security.NONE, PASSWORD, Locale.UK), Samples.PARIS)
                .send(Samples.backupMissing());

        MimeMessage m = MAIL.getReceivedMessages()[0];
        assertThat(m.getSubject()).isEqualTo("[Rempart] No recent backup of “cabinet” on PC-ACCUEIL");
        assertThat((String) m.getContent())
                .contains("has succeeded on computer PC-ACCUEIL since 20 Nov 2026 at 22:00, that is for 2 days and 16 hours")
                .contains("at least once every 24 hours")
                .contains("contact your IT provider");
    }

    @Test
    void wrongPasswordFailsWithoutShowingIt() {
        String wrong = "n0t-The-Passw0rd!";
        SmtpNotifier notifier = new SmtpNotifier(
                settings(smtpPort(), SmtpSettings.Security.NONE, wrong, Locale.FRENCH), Samples.PARIS);

        assertThatThrownBy(() -> notifier.send(Samples.runFailed()))
                .isInstanceOf(NotifyException.class)
                .satisfies(e -> {
                    assertThat(e.getMessage())
                            .startsWith("e-mail through 127.0.0.1:" + smtpPort() + " (NONE): ")
                            .contains("refused the login of user \"rempart\"")
                            .doesNotContain(wrong)
                            .doesNotContain("\n");
                    assertThat(stackTrace(e)).doesNotContain(wrong); // causes included
                });
        assertThat(MAIL.getReceivedMessages()).isEmpty();
    }

    @Test
    void implicitTlsTrustsTheServerThroughTheCaFile() throws Exception {
        new SmtpNotifier(settings(smtpsPort(), SmtpSettings.Security.TLS, PASSWORD, Locale.FRENCH), Samples.PARIS)
                .send(Samples.dailySummary());

        MimeMessage m = MAIL.getReceivedMessages()[0];
        assertThat(m.getSubject()).isEqualTo("[Rempart] Résumé quotidien de PC-ACCUEIL : 1 dépôt à vérifier");
        assertThat((String) m.getContent()).contains("« hors-site » : aucune sauvegarde réussie à ce jour");
    }

    @Test
    void implicitTlsRefusesAnUntrustedCertificate() {
        SmtpSettings s = settings(smtpsPort(), SmtpSettings.Security.TLS, PASSWORD, Locale.FRENCH);
        SmtpSettings noCa = new SmtpSettings(s.host(), s.port(), s.security(), s.username(), s.password(), s.from(),
                s.to(), null, s.timeout(), s.locale());

        assertThatThrownBy(() -> new SmtpNotifier(noCa, Samples.PARIS).send(Samples.runFailed()))
                .isInstanceOf(NotifyException.class)
                .hasMessageContaining("(TLS): TLS: the server's certificate is not trusted");
        assertThat(MAIL.getReceivedMessages()).isEmpty();
    }

    @Test
    void requiredStartTlsIsNeverDowngraded() {
        // GreenMail's plain SMTP does not offer STARTTLS: as a man in the middle stripping it would look.
        SmtpNotifier notifier = new SmtpNotifier(
                settings(smtpPort(), SmtpSettings.Security.STARTTLS, PASSWORD, Locale.FRENCH), Samples.PARIS);

        assertThatThrownBy(() -> notifier.send(Samples.runFailed()))
                .isInstanceOf(NotifyException.class)
                .hasMessage("e-mail through 127.0.0.1:" + smtpPort() + " (STARTTLS): the server does not offer "
                        + "STARTTLS, which these settings require; nothing was sent unencrypted");
        assertThat(MAIL.getReceivedMessages()).isEmpty();
    }

    @Test
    void startTlsUpgradesTheConnectionThenLogsInAndSends() throws Exception {
        try (StartTlsFront front = new StartTlsFront(
                TestCertificates.serverContext(certs.goodKeystore), smtpPort())) {
            new SmtpNotifier(settings(front.port(), SmtpSettings.Security.STARTTLS, PASSWORD, Locale.FRENCH),
                    Samples.PARIS).send(Samples.runFailed());
        }

        MimeMessage m = MAIL.getReceivedMessages()[0];
        assertThat(m.getSubject()).isEqualTo("[Rempart] Échec de la sauvegarde « cabinet » sur PC-ACCUEIL");
    }

    @Test
    void startTlsChecksTheCertificateNamesTheHost() throws Exception {
        try (StartTlsFront front = new StartTlsFront(
                TestCertificates.serverContext(certs.wrongNameKeystore), smtpPort())) {
            SmtpSettings s = settings(front.port(), SmtpSettings.Security.STARTTLS, PASSWORD, Locale.FRENCH);
            // trusted, but issued for elsewhere.invalid
            SmtpSettings trusted = new SmtpSettings(s.host(), s.port(), s.security(), s.username(), s.password(),
                    s.from(), s.to(), certs.wrongNamePem, s.timeout(), s.locale());

            assertThatThrownBy(() -> new SmtpNotifier(trusted, Samples.PARIS).send(Samples.runFailed()))
                    .isInstanceOf(NotifyException.class)
                    .hasMessageContaining("TLS: the server's certificate is not valid for 127.0.0.1")
                    .satisfies(e -> assertThat(stackTrace(e)).doesNotContain(PASSWORD));
        }
        assertThat(MAIL.getReceivedMessages()).isEmpty();
    }

    @Test
    void noServerListening() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        SmtpNotifier notifier = new SmtpNotifier(
                settings(closed, SmtpSettings.Security.NONE, PASSWORD, Locale.FRENCH), Samples.PARIS);

        assertThatThrownBy(() -> notifier.send(Samples.runFailed()))
                .isInstanceOf(NotifyException.class)
                .hasMessage("e-mail through 127.0.0.1:" + closed + " (NONE): connection refused");
    }

    @Test
    void settingsNeverShowThePassword() {
        SmtpSettings s = settings(smtpPort(), SmtpSettings.Security.STARTTLS, PASSWORD, Locale.FRENCH);
        assertThat(s.toString()).doesNotContain(PASSWORD).contains("password=(hidden)");
        assertThat(new SmtpNotifier(s).toString()).doesNotContain(PASSWORD);
    }

    @Test
    void invalidAddressesAreRefusedUpFront() {
        SmtpSettings s = settings(smtpPort(), SmtpSettings.Security.NONE, PASSWORD, Locale.FRENCH);
        SmtpSettings bad = new SmtpSettings(s.host(), s.port(), s.security(), s.username(), s.password(), s.from(),
                List.of("dr dupont at cabinet"), null, s.timeout(), s.locale());
        assertThatThrownBy(() -> new SmtpNotifier(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid e-mail recipient address \"dr dupont at cabinet\"");
    }

    static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
