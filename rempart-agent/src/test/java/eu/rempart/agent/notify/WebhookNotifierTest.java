package eu.rempart.agent.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against the JDK's real HTTP(S) server on 127.0.0.1. */
class WebhookNotifierTest {
    private static final String TOKEN = "Bearer 7f3c9a1e-secret-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static WebhookNotifier notifier(URI url, Map<String, String> headers, Path caFile,
                                            Locale locale) {
        return new WebhookNotifier(new WebhookSettings(url, headers, caFile, Duration.ofSeconds(5), locale),
                Samples.PARIS, Duration.ofMillis(10));
    }

    @Test
    void runFailedIsPostedAsJsonWithTheHeaders() throws Exception {
        try (WebhookServer server = new WebhookServer(null, 200)) {
            notifier(server.url("/hooks/rempart"), Map.of("Authorization", TOKEN, "X-Cabinet", "dupont"), null,
                    Locale.FRENCH).send(Samples.runFailed());

            assertThat(server.requests()).hasSize(1);
            WebhookServer.Request r = server.requests().get(0);
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.uri()).isEqualTo("/hooks/rempart");
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
            assertThat(r.header("Authorization")).isEqualTo(TOKEN);
            assertThat(r.header("X-Cabinet")).isEqualTo("dupont");
            JsonNode j = JSON.readTree(r.body());
            assertThat(j.get("event").asText()).isEqualTo("run_failed");
            assertThat(j.get("host").asText()).isEqualTo("PC-ACCUEIL");
            assertThat(j.get("repository").asText()).isEqualTo("cabinet");
            assertThat(j.get("job").asText()).isEqualTo("backup");
            assertThat(j.get("started").asText()).isEqualTo("2026-11-22T13:05:00Z");
            assertThat(j.get("finished").asText()).isEqualTo("2026-11-22T13:07:30Z");
            assertThat(j.get("duration_seconds").asLong()).isEqualTo(150);
            assertThat(j.get("error").asText()).isEqualTo("disque de sauvegarde E:\\ introuvable (périphérique débranché ?)");
            assertThat(j.get("subject").asText()).isEqualTo("[Rempart] Échec de la sauvegarde « cabinet » sur PC-ACCUEIL");
            assertThat(j.get("text").asText())
                    .startsWith("[Rempart] Échec de la sauvegarde « cabinet » sur PC-ACCUEIL\n\nBonjour,\n")
                    .contains("Début      : 22/11/2026 à 14:05");
        }
    }

    @Test
    void backupMissingFields() throws Exception {
        try (WebhookServer server = new WebhookServer(null, 204)) {
            notifier(server.url("/"), Map.of(), null, Locale.ENGLISH).send(Samples.backupMissing());

            JsonNode j = JSON.readTree(server.requests().get(0).body());
            assertThat(j.get("event").asText()).isEqualTo("backup_missing");
            assertThat(j.get("host").asText()).isEqualTo("PC-ACCUEIL");
            assertThat(j.get("repository").asText()).isEqualTo("cabinet");
            assertThat(j.get("last_success").asText()).isEqualTo("2026-11-20T21:00:00Z");
            assertThat(j.get("expected_interval_seconds").asLong()).isEqualTo(86_400);
            assertThat(j.get("now").asText()).isEqualTo("2026-11-23T13:05:00Z");
            assertThat(j.get("text").asText()).startsWith("[Rempart] No recent backup of “cabinet” on PC-ACCUEIL");

            notifier(server.url("/"), Map.of(), null, Locale.ENGLISH).send(new BackupMissing("PC", "usb", null,
                    Duration.ofDays(2), Samples.backupMissing().now()));
            assertThat(JSON.readTree(server.requests().get(1).body()).get("last_success").isNull()).isTrue();
        }
    }

    @Test
    void dailySummaryFields() throws Exception {
        try (WebhookServer server = new WebhookServer(null, 200)) {
            notifier(server.url("/"), Map.of(), null, Locale.FRENCH).send(Samples.dailySummary());

            JsonNode j = JSON.readTree(server.requests().get(0).body());
            assertThat(j.get("event").asText()).isEqualTo("daily_summary");
            assertThat(j.get("host").asText()).isEqualTo("PC-ACCUEIL");
            assertThat(j.get("now").asText()).isEqualTo("2026-11-23T06:00:00Z");
            JsonNode repos = j.get("repositories");
            assertThat(repos).hasSize(2);
            assertThat(repos.get(0).get("repository").asText()).isEqualTo("cabinet");
            assertThat(repos.get(0).get("last_good_backup").asText()).isEqualTo("2026-11-22T21:10:00Z");
            assertThat(repos.get(0).get("failures_last_24h").asInt()).isZero();
            assertThat(repos.get(1).get("last_good_backup").isNull()).isTrue();
            assertThat(repos.get(1).get("failures_last_24h").asInt()).isEqualTo(3);
            JsonNode runs = j.get("runs");
            assertThat(runs).hasSize(2);
            assertThat(runs.get(0).get("repository").asText()).isEqualTo("cabinet");
            assertThat(runs.get(0).get("job").asText()).isEqualTo("backup");
            assertThat(runs.get(0).get("started").asText()).isEqualTo("2026-11-22T21:00:00Z");
            assertThat(runs.get(0).get("took_seconds").asLong()).isEqualTo(603);
            assertThat(runs.get(0).get("ok").asBoolean()).isTrue();
            assertThat(runs.get(0).get("summary").asText()).isEqualTo("1 204 fichiers, 312 Mio ajoutés");
            assertThat(runs.get(1).get("ok").asBoolean()).isFalse();
            assertThat(j.get("text").asText()).contains("« hors-site » : aucune sauvegarde réussie à ce jour");
        }
    }

    @Test
    void deliveredAfterTwoServerErrors() throws Exception {
        try (WebhookServer server = new WebhookServer(null, 200, 500, 500)) {
            notifier(server.url("/hook"), Map.of("Authorization", TOKEN), null, Locale.FRENCH)
                    .send(Samples.runFailed());

            assertThat(server.requests()).hasSize(3);
            assertThat(server.requests()).allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo(TOKEN));
        }
    }

    @Test
    void alwaysFailingNamesTheStatusButNoSecret() throws Exception {
        try (WebhookServer server = new WebhookServer(null, 500)) {
            URI url = URI.create("http://hookuser:hookpass@127.0.0.1:" + server.port() + "/hook?token=q-s3cr3t#frag");
            WebhookNotifier n = notifier(url, Map.of("Authorization", TOKEN), null, Locale.FRENCH);

            assertThatThrownBy(() -> n.send(Samples.runFailed()))
                    .isInstanceOf(NotifyException.class)
                    .hasMessage("webhook http://127.0.0.1:" + server.port() + "/hook: HTTP 500 (after 3 attempts)")
                    .satisfies(e -> assertThat(SmtpNotifierTest.stackTrace(e))
                            .doesNotContain("7f3c9a1e", "q-s3cr3t", "hookpass"));
            assertThat(server.requests()).hasSize(3);
            // the query is part of the address: it is sent, only never shown
            assertThat(server.requests().get(0).uri()).isEqualTo("/hook?token=q-s3cr3t");
            assertThat(n.toString()).doesNotContain("7f3c9a1e", "q-s3cr3t", "hookpass");
        }
    }

    @Test
    void aRefusalIsNotRetried() throws Exception {
        try (WebhookServer server = new WebhookServer(null, 401)) {
            assertThatThrownBy(() -> notifier(server.url("/hook"), Map.of(), null, Locale.FRENCH)
                    .send(Samples.runFailed()))
                    .hasMessage("webhook " + server.url("/hook") + ": HTTP 401");
            assertThat(server.requests()).hasSize(1);
        }
    }

    @Test
    void credentialsInTheUrlBecomeBasicAuthentication() throws Exception {
        try (WebhookServer server = new WebhookServer(null, 200)) {
            notifier(URI.create("http://hookuser:hookp%40ss@127.0.0.1:" + server.port() + "/hook"), Map.of(), null,
                    Locale.FRENCH).send(Samples.runFailed());

            assertThat(server.requests().get(0).header("Authorization")).isEqualTo("Basic "
                    + Base64.getEncoder().encodeToString("hookuser:hookp@ss".getBytes(StandardCharsets.UTF_8)));
            assertThat(server.requests().get(0).uri()).isEqualTo("/hook");
        }
    }

    @Test
    void httpsTrustsTheServerThroughTheCaFile() throws Exception {
        TestCertificates certs = TestCertificates.get();
        try (WebhookServer server = new WebhookServer(TestCertificates.serverContext(certs.goodKeystore), 200)) {
            notifier(server.url("/hook"), Map.of("Authorization", TOKEN), certs.goodPem, Locale.FRENCH)
                    .send(Samples.dailySummary());
            assertThat(server.requests()).hasSize(1);

            assertThatThrownBy(() -> notifier(server.url("/hook"), Map.of(), null, Locale.FRENCH)
                    .send(Samples.dailySummary()))
                    .isInstanceOf(NotifyException.class)
                    .hasMessageStartingWith("webhook " + server.url("/hook")
                            + ": TLS: the server's certificate is not trusted")
                    .hasMessageEndingWith("(after 3 attempts)");
        }
    }

    @Test
    void httpsChecksTheCertificateNamesTheHost() throws Exception {
        TestCertificates certs = TestCertificates.get();
        try (WebhookServer server = new WebhookServer(TestCertificates.serverContext(certs.wrongNameKeystore), 200)) {
            assertThatThrownBy(() -> notifier(server.url("/hook"), Map.of(), certs.wrongNamePem, Locale.FRENCH)
                    .send(Samples.runFailed()))
                    .isInstanceOf(NotifyException.class)
                    .hasMessageContaining("TLS: the server's certificate is not valid for 127.0.0.1");
            assertThat(server.requests()).isEmpty();
        }
    }

    @Test
    void nobodyListening() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        assertThatThrownBy(() -> notifier(URI.create("http://127.0.0.1:" + closed + "/hook"), Map.of(), null,
                Locale.FRENCH).send(Samples.runFailed()))
                .isInstanceOf(NotifyException.class)
                .hasMessage("webhook http://127.0.0.1:" + closed + "/hook: connection refused (after 3 attempts)");
    }

    @Test
    void settingsHideHeaderValuesAndRefuseUnsafeHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", TOKEN);
        WebhookSettings s = new WebhookSettings(URI.create("https://u:p@hooks.example/x?token=t0k"), headers, null,
                null, null);
        assertThat(s.toString()).doesNotContain("7f3c9a1e", "t0k", "u:p")
                .contains("https://hooks.example/x", "[Authorization]");
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.locale()).isEqualTo(Locale.FRENCH);

        assertThatThrownBy(() -> new WebhookSettings(URI.create("https://h/x"), Map.of("Host", "evil"), null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WebhookSettings(URI.create("https://h/x"), Map.of("X-A", "a\r\nX-B: b"), null,
                null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("webhook header X-A: control character in its value");
        assertThatThrownBy(() -> new WebhookSettings(URI.create("ftp://h/x"), Map.of(), null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.headers().put("X", "y")).isInstanceOf(UnsupportedOperationException.class);
    }
}
