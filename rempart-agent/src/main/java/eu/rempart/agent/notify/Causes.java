package eu.rempart.agent.notify;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.CertificateException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/** Why a connection failed, said plainly from the exception chain the network libraries throw. */
final class Causes {
    private Causes() {
    }

    /** A plain reason for the first recognised cause in {@code t}'s chain, or null if none is recognised. */
    static String network(Throwable t, String host, Duration timeout) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof CertificateException || c instanceof SSLException) {
                return tls(deepestMessage(c), host);
            }
            if (c instanceof UnknownHostException || c instanceof UnresolvedAddressException) {
                return "unknown host " + host;
            }
            if (c instanceof SocketTimeoutException) {
                return "no answer within " + timeout.toSeconds() + " s";
            }
            if (c instanceof ConnectException && !(c.getCause() instanceof UnresolvedAddressException)) {
                return "connection refused";
            }
        }
        return null;
    }

    private static String tls(String detail, String host) {
        if (detail.contains("PKIX") || detail.contains("certification path")) {
            return "TLS: the server's certificate is not trusted (give its authority or certificate as CA file): "
                    + detail;
        }
        if (detail.startsWith("No subject alternative") || detail.startsWith("No name matching")) {
            return "TLS: the server's certificate is not valid for " + host + ": " + detail;
        }
        return "TLS: " + detail;
    }

    /** The innermost message: the JDK's TLS exceptions repeat the wrapper's text, the root says what is wrong. */
    static String deepestMessage(Throwable t) {
        String m = null;
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getMessage() != null) {
                m = c.getMessage();
            }
        }
        return m == null ? t.getClass().getSimpleName() : m;
    }
}
