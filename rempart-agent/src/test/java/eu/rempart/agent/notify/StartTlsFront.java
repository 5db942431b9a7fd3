package eu.rempart.agent.notify;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A real STARTTLS server for tests, since GreenMail has none: it speaks the plain-text part of SMTP
 * itself (greeting, EHLO offering STARTTLS, STARTTLS), upgrades the connection with its certificate,
 * then relays the encrypted session's bytes to a GreenMail plain SMTP server, whose own greeting it
 * swallows. The client's EHLO after TLS, AUTH, MAIL... are GreenMail's business.
 */
final class StartTlsFront implements AutoCloseable {
    private final ServerSocket server;
    private final SSLContext tls;
    private final int backendPort;

    StartTlsFront(SSLContext tls, int backendPort) throws IOException {
        this.tls = tls;
        this.backendPort = backendPort;
        this.server = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(this::acceptLoop, "starttls-front");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> handle(s), "starttls-front-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void handle(Socket plain) {
        try (plain) {
            plain.setSoTimeout(10_000);
            InputStream in = plain.getInputStream();
            OutputStream out = plain.getOutputStream();
            write(out, "220 starttls-front ESMTP\r\n");
            while (true) {
                String line = readLine(in);
                if (line == null) {
                    return;
                }
                String command = line.toUpperCase(Locale.ROOT);
                if (command.startsWith("EHLO")) {
                    write(out, "250-starttls-front\r\n250 STARTTLS\r\n");
                } else if (command.startsWith("HELO")) {
                    write(out, "250 starttls-front\r\n");
                } else if (command.equals("STARTTLS")) {
                    write(out, "220 2.0.0 Ready to start TLS\r\n");
                    break;
                } else if (command.equals("QUIT")) {
                    write(out, "221 2.0.0 Bye\r\n");
                    return;
                } else {
                    write(out, "530 5.7.0 Must issue a STARTTLS command first\r\n");
                }
            }
            SSLSocket secure = (SSLSocket) tls.getSocketFactory()
                    .createSocket(plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
            secure.setUseClientMode(false);
            secure.startHandshake();
            try (secure; Socket backend = new Socket("127.0.0.1", backendPort)) {
                backend.setSoTimeout(10_000);
                readLine(backend.getInputStream()); // GreenMail's 220: the client had ours
                Thread up = new Thread(() -> pump(secure, backend), "starttls-front-up");
                up.setDaemon(true);
                up.start();
                pump(backend, secure);
                up.join(10_000);
            }
        } catch (IOException | InterruptedException e) {
            // the client gave up (e.g. it rejected our certificate): nothing to relay
        }
    }

    private static void pump(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.getOutputStream().flush();
        } catch (IOException e) {
            // one side closed
        } finally {
            try {
                to.shutdownOutput();
            } catch (IOException | UnsupportedOperationException e) {
                // SSLSocket: closing is how output ends
                try {
                    to.close();
                } catch (IOException ignored) {
                    // nothing more to do
                }
            }
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** One CRLF-ended line, byte by byte so nothing after it is consumed (the TLS handshake follows). */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String s = line.toString(StandardCharsets.US_ASCII);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
        return null;
    }
}
