package eu.rempart.agent.notify;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How to send e-mail: an SMTP server (the practice's provider, or the IT provider's relay) and who
 * gets the messages.
 *
 * @param security how the connection is protected; with {@link Security#STARTTLS} and {@link Security#TLS}
 *                 the server's certificate must be trusted and name {@code host}
 * @param username login, or null to send without authenticating
 * @param password the login's password, null without login; never shown by {@link #toString()}
 * @param from     sender address, e.g. {@code "Rempart Cabinet Dupont <rempart@cabinet-dupont.fr>"}
 * @param to       recipients (at least one)
 * @param caFile   PEM file of certificates to trust besides the system's (a private authority or the
 *                 server's self-signed certificate), or null
 * @param timeout  for connecting and for each exchange with the server; null means 30 seconds
 * @param locale   language of the messages: English for an English locale, French otherwise (null too)
 */
public record SmtpSettings(String host, int port, Security security, String username, String password, String from,
                           List<String> to, Path caFile, Duration timeout, Locale locale) {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** How the SMTP connection is protected. */
    public enum Security {
        /** Plain connection (a relay on the local network only): everything, password included, in clear. */
        NONE,
        /** Plain connection upgraded with STARTTLS (usually port 587); refused if the server does not offer it. */
        STARTTLS,
        /** TLS from the first byte, "SMTPS" (usually port 465). */
        TLS
    }

    public SmtpSettings {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("SMTP host is empty");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("SMTP port out of range: " + port);
        }
        Objects.requireNonNull(security, "security");
        if (username != null && username.isEmpty()) {
            username = null;
        }
        if (username == null && password != null) {
            throw new IllegalArgumentException("SMTP password given without a user name");
        }
        Objects.requireNonNull(from, "from");
        to = List.copyOf(to);
        if (to.isEmpty()) {
            throw new IllegalArgumentException("no e-mail recipient");
        }
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("SMTP timeout must be positive: " + timeout);
        }
        locale = locale == null ? Locale.FRENCH : locale;
    }

    /** Everything but the password, which is only said to be set or not. */
    @Override
    public String toString() {
        return "SmtpSettings[host=" + host + ", port=" + port + ", security=" + security + ", username=" + username
                + ", password=" + (password == null ? "(none)" : "(hidden)") + ", from=" + from + ", to=" + to
                + ", caFile=" + caFile + ", timeout=" + timeout + ", locale=" + locale + "]";
    }
}
