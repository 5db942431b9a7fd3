package eu.rempart.agent.notify;

import eu.rempart.vault.tls.Pem;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import javax.net.ssl.SSLSocketFactory;

/**
 * Sends notifications by e-mail through an SMTP server, with Jakarta Mail (Angus): one plain-text
 * UTF-8 message per notification, to every recipient. With STARTTLS or TLS the server's certificate is
 * checked, host name included, and STARTTLS is required: a server (or a man in the middle) that does not
 * offer it gets nothing, rather than the password and the message in clear.
 */
public final class SmtpNotifier implements Notifier {
    private static final String CHARSET = StandardCharsets.UTF_8.name();

    private final SmtpSettings settings;
    private final ZoneId zone;
    private final InternetAddress from;
    private final InternetAddress[] to;

    /** Times in messages are in the machine's zone. */
    public SmtpNotifier(SmtpSettings settings) {
        this(settings, ZoneId.systemDefault());
    }

    /** @throws IllegalArgumentException if the sender or a recipient is not a valid address */
    SmtpNotifier(SmtpSettings settings, ZoneId zone) {
        this.settings = settings;
        this.zone = zone;
        this.from = address(settings.from(), "sender");
        List<InternetAddress> recipients = new ArrayList<>();
        for (String r : settings.to()) {
            recipients.add(address(r, "recipient"));
        }
        this.to = recipients.toArray(new InternetAddress[0]);
    }

    @Override
    public void send(Notification n) throws NotifyException {
        Rendered r = Rendered.of(n, settings.locale(), zone);
        Session session = Session.getInstance(properties());
        try {
            MimeMessage m = new MimeMessage(session);
            m.setFrom(from);
            m.setRecipients(Message.RecipientType.TO, to);
            m.setSubject(r.subject(), CHARSET);
            m.setText(r.body(), CHARSET);
            m.setSentDate(new Date());
            m.setHeader("Auto-Submitted", "auto-generated"); // RFC 3834: no out-of-office replies to a robot
            m.setHeader("X-Mailer", "Rempart");
            try (Transport transport = session.getTransport("smtp")) {
                transport.connect(settings.host(), settings.port(), settings.username(), settings.password());
                transport.sendMessage(m, m.getAllRecipients());
            }
        } catch (MessagingException e) {
            throw new NotifyException(Redaction.clean(channel() + ": " + reason(e), secrets()), e);
        }
    }

    @Override
    public String toString() {
        return "SmtpNotifier[" + settings + "]";
    }

    private Properties properties() throws NotifyException {
        Properties p = new Properties();
        String ms = Long.toString(settings.timeout().toMillis());
        p.setProperty("mail.smtp.connectiontimeout", ms);
        p.setProperty("mail.smtp.timeout", ms);
        p.setProperty("mail.smtp.writetimeout", ms);
        p.setProperty("mail.smtp.auth", Boolean.toString(settings.username() != null));
        p.setProperty("mail.smtp.from", from.getAddress()); // the envelope sender, for bounces
        switch (settings.security()) {
            case NONE -> p.setProperty("mail.smtp.starttls.enable", "false");
            case STARTTLS -> {
                p.setProperty("mail.smtp.starttls.enable", "true");
                p.setProperty("mail.smtp.starttls.required", "true");
            }
            case TLS -> p.setProperty("mail.smtp.ssl.enable", "true");
        }
        if (settings.security() != SmtpSettings.Security.NONE) {
            // Angus 2.0.3+ checks the name through the endpoint identification of the TLS handshake.
            p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
            p.setProperty("mail.smtp.ssl.protocols", "TLSv1.3 TLSv1.2");
            p.put("mail.smtp.ssl.socketFactory", socketFactory());
            // by default a failing factory is retried with the JDK's own: one attempt, with our trust, is enough
            p.setProperty("mail.smtp.socketFactory.fallback", "false");
        }
        return p;
    }

    /** Read at each sending, so a renewed certificate needs no restart (notifications are rare). */
    private SSLSocketFactory socketFactory() throws NotifyException {
        if (settings.caFile() == null) {
            return (SSLSocketFactory) SSLSocketFactory.getDefault();
        }
        try {
            return Pem.clientContext(List.of(settings.caFile())).getSocketFactory();
        } catch (IOException e) {
            throw new NotifyException(Redaction.clean(channel() + ": cannot use the CA file " + settings.caFile()
                    + ": " + e.getMessage(), secrets()), e);
        }
    }

    private String channel() {
        return "e-mail through " + settings.host() + ":" + settings.port() + " (" + settings.security() + ")";
    }

    private List<String> secrets() {
        return settings.password() == null ? List.of() : List.of(settings.password());
    }

    private String reason(MessagingException e) {
        if (e instanceof AuthenticationFailedException) {
            String server = e.getMessage() == null ? "" : ": " + e.getMessage();
            return "the server refused the login of user \"" + settings.username() + "\" (wrong user name or password?)"
                    + server;
        }
        if (e instanceof SendFailedException s && s.getInvalidAddresses() != null
                && s.getInvalidAddresses().length > 0) {
            return "the server refused the recipients " + Arrays.stream(s.getInvalidAddresses())
                    .map(Object::toString).collect(Collectors.joining(", ")) + ": " + e.getMessage();
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.contains("STARTTLS is required but host does not support STARTTLS")) {
            return "the server does not offer STARTTLS, which these settings require; nothing was sent unencrypted";
        }
        String network = Causes.network(e.getCause(), settings.host(), settings.timeout());
        if (network != null) {
            return network;
        }
        return e.getCause() == null || e.getCause().getMessage() == null
                ? message : message + ": " + e.getCause().getMessage();
    }

    private static InternetAddress address(String s, String role) {
        try {
            InternetAddress a = new InternetAddress(s, true);
            // re-encoded so an accented display name ("Cabinet Médical") travels as UTF-8
            return a.getPersonal() == null ? a : new InternetAddress(a.getAddress(), a.getPersonal(), CHARSET);
        } catch (AddressException | UnsupportedEncodingException e) {
            throw new IllegalArgumentException("invalid e-mail " + role + " address \"" + s + "\"");
        }
    }
}
