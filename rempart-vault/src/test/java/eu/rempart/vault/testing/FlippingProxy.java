package eu.rempart.vault.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on 127.0.0.1 in front of an HTTP/1.1 server that changes one bit in the middle of
 * every PUT body on its way to the server: corruption in transit, after the client has hashed
 * and signed what it sends. Bodies must have a Content-Length (no chunked encoding).
 */
public final class FlippingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int upstream;
    private final AtomicInteger flipped = new AtomicInteger();

    public FlippingProxy(int upstreamPort) throws IOException {
        this.upstream = upstreamPort;
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(this::accept, "flipping-proxy");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** How many request bodies were changed so far. */
    public int flipped() {
        return flipped.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), upstream);
                start(() -> requests(client, server));
                start(() -> copy(server, client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void start(Runnable r) {
        Thread t = new Thread(r, "flipping-proxy-conn");
        t.setDaemon(true);
        t.start();
    }

    /** Relays requests one by one: the header block as it is, then the body, one bit changed if a PUT. */
    private void requests(Socket client, Socket server) {
        try (client; server) {
            InputStream in = new BufferedInputStream(client.getInputStream());
            OutputStream out = server.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                long length = 0;
                for (String line : head.split("\r\n")) {
                    if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                        length = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
                long flipAt = head.startsWith("PUT ") && length > 0 ? length / 2 : -1;
                for (long i = 0; i < length; i++) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    if (i == flipAt) {
                        b ^= 1;
                        flipped.incrementAndGet();
                    }
                    out.write(b);
                }
                out.flush();
            }
        } catch (IOException e) {
            // one side closed the connection
        }
    }

    /** Up to and including the empty line; null at the end of the stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int matched = 0;
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            matched = (c == '\r' && matched % 2 == 0) || (c == '\n' && matched % 2 == 1) ? matched + 1 : 0;
            if (matched == 4) {
                return b.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static void copy(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // one side closed the connection
        } finally {
            try {
                to.shutdownOutput();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
