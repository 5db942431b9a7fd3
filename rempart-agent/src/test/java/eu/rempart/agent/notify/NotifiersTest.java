package eu.rempart.agent.notify;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NotifiersTest {
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    @Test
    void aBrokenChannelDoesNotStopTheOthers() throws Exception {
        int closed = closedPort();
        Notifier brokenMail = new SmtpNotifier(new SmtpSettings("127.0.0.1", closed, SmtpSettings.Security.NONE,
                "rempart", "mail-pa55word", "rempart@cabinet.test", List.of("dr.dupont@cabinet.test"), null,
                Duration.ofSeconds(5), Locale.FRENCH), Samples.PARIS);
        try (WebhookServer server = new WebhookServer(null, 200)) {
            Notifier hook = new WebhookNotifier(new WebhookSettings(server.url("/hook"),
                    Map.of("Authorization", "Bearer hook-token"), null, Duration.ofSeconds(5), Locale.FRENCH),
                    Samples.PARIS, Duration.ofMillis(10));
            Notifiers all = Notifiers.of(brokenMail, hook);

            List<NotifyException> failures = all.sendAll(Samples.runFailed());

            assertThat(server.requests()).hasSize(1);
            assertThat(failures).singleElement().satisfies(e -> assertThat(e.getMessage())
                    .isEqualTo("e-mail through 127.0.0.1:" + closed + " (NONE): connection refused"));

            assertThatThrownBy(() -> all.send(Samples.backupMissing()))
                    .isInstanceOf(NotifyException.class)
                    .hasMessage("1 of 2 notification channels failed: e-mail through 127.0.0.1:" + closed
                            + " (NONE): connection refused")
                    .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1))
                    .satisfies(e -> assertThat(SmtpNotifierTest.stackTrace(e))
                            .doesNotContain("mail-pa55word", "hook-token"));
            assertThat(server.requests()).hasSize(2);
        }
    }

    @Test
    void allDelivered() throws Exception {
        try (WebhookServer a = new WebhookServer(null, 200); WebhookServer b = new WebhookServer(null, 202)) {
            Notifiers all = new Notifiers(List.of(
                    new WebhookNotifier(new WebhookSettings(a.url("/"), Map.of(), null, null, null)),
                    new WebhookNotifier(new WebhookSettings(b.url("/"), Map.of(), null, null, null))));

            assertThat(all.sendAll(Samples.dailySummary())).isEmpty();
            all.send(Samples.dailySummary());
            assertThat(a.requests()).hasSize(2);
            assertThat(b.requests()).hasSize(2);
        }
    }

    @Test
    void noChannelMeansNothingToDo() throws Exception {
        Notifiers none = new Notifiers(List.of());
        assertThat(none.sendAll(Samples.runFailed())).isEmpty();
        none.send(Samples.runFailed());
    }
}
