package eu.rempart.agent.notify;

import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Supplier;

/** Alerts by e-mail, through Jakarta Mail (Angus): plain SMTP, STARTTLS (required, never downgraded) or TLS. */
public final class SmtpNotifier implements Notifier {
    public enum Security { NONE, STARTTLS, TLS }

    /**
     * @param password read when a message is sent (from its file), null without authentication
     * @param caFile   an extra trusted certificate (PEM), for a server with a private CA; null: the JDK's
     */
    public record Settings(String host, int port, Security security, String username, Supplier<char[]> password,
            String from, List<String> to, Path caFile, Duration timeout, Locale locale, ZoneId zone) {
        @Override
        public String toString() {
            return "smtp://" + (username == null ? "" : username + "@") + host + ":" + port + " (" + security + ") to " + to;
        }
    }

    private final Settings s;
    private final Texts texts;

    public SmtpNotifier(Settings settings) {
        this.s = settings;
        this.texts = new Texts(settings.locale(), settings.zone());
    }

    @Override
    public String describe() {
        return s.toString();
    }

    @Override
    public void send(Notification n) throws NotifyException {
        Properties p = new Properties();
        String proto = s.security() == Security.TLS ? "smtps" : "smtp";
        String pre = "mail." + proto + ".";
        p.put("mail.transport.protocol", proto);
        p.put(pre + "host", s.host());
        p.put(pre + "port", Integer.toString(s.port()));
        String ms = Long.toString(s.timeout().toMillis());
        p.put(pre + "connectiontimeout", ms);
        p.put(pre + "timeout", ms);
        p.put(pre + "writetimeout", ms);
        p.put(pre + "auth", Boolean.toString(s.username() != null));
        if (s.security() == Security.STARTTLS) {
            p.put(pre + "starttls.enable", "true");
            p.put(pre + "starttls.required", "true");
        }
        if (s.security() != Security.NONE) {
            p.put(pre + "ssl.checkserveridentity", "true");
            if (s.caFile() != null) {
                try {
                    p.put(pre + "ssl.socketFactory", eu.rempart.vault.tls.Pem.clientContext(List.of(s.caFile())).getSocketFactory());
                } catch (java.io.IOException | RuntimeException e) {
                    throw new NotifyException("e-mail: cannot use the certificate " + s.caFile() + ": " + e.getMessage());
                }
            }
        }
        Authenticator auth = null;
        if (s.username() != null) {
            auth = new Authenticator() {
                @Override
                protected PasswordAuthentication getPasswordAuthentication() {
                    char[] pw = s.password() == null ? new char[0] : s.password().get();
                    return new PasswordAuthentication(s.username(), new String(pw));
                }
            };
        }
        Session session = Session.getInstance(p, auth);
        try {
            MimeMessage m = new MimeMessage(session);
            m.setFrom(new InternetAddress(s.from()));
            for (String to : s.to()) {
                m.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
            }
            m.setSubject(texts.subject(n), "UTF-8");
            m.setText(texts.body(n), "UTF-8");
            m.setSentDate(new Date());
            Transport.send(m);
        } catch (MessagingException e) {
            throw new NotifyException("e-mail via " + s.host() + ":" + s.port() + " failed: " + reason(e));
        }
    }

    /** The server's or the network's reason, first line only; Jakarta Mail never puts the password there. */
    private static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null || t.getMessage().isBlank())) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (e.getCause() != null && e.getCause().getMessage() != null && m.equals(e.getMessage())) {
            m = m + " (" + e.getCause().getMessage() + ")";
        }
        return m.lines().findFirst().orElse(m).strip();
    }
}
