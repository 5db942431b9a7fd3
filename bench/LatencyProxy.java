import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on loopback that holds every byte for half a round trip in each direction and,
 * optionally, limits each direction's rate: an off-site store's line, where this machine cannot
 * shape its own traffic (no netem). The benchmark puts it between both tools and the same server.
 *
 * <pre>java bench/LatencyProxy.java RTT_MS UPSTREAM_PORT [MBIT_PER_S]</pre>
 *
 * Prints "listening PORT" once ready. Each connection gets two relays (one per direction); each
 * relay reads on one thread and writes on another, through a bounded queue of timestamped chunks.
 */
public final class LatencyProxy {
    private static final int CHUNK = 64 << 10;
    /** Enough chunks in flight for a few MiB per round trip, bounded so memory stays small. */
    private static final int QUEUED = 256;

    private record Chunk(long due, byte[] data, int length) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: java LatencyProxy.java RTT_MS UPSTREAM_PORT [MBIT_PER_S]");
            System.exit(2);
        }
        long oneWayNanos = Long.parseLong(args[0]) * 1_000_000L / 2;
        int upstream = Integer.parseInt(args[1]);
        double bytesPerNano = args.length > 2 ? Double.parseDouble(args[2]) * 1e6 / 8 / 1e9 : 0;
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 128, lo)) {
            System.out.println("listening " + server.getLocalPort());
            System.out.flush();
            while (true) {
                Socket client = server.accept();
                Socket up = new Socket();
                try {
                    up.connect(new InetSocketAddress(lo, upstream));
                } catch (IOException e) {
                    client.close();
                    continue;
                }
                client.setTcpNoDelay(true);
                up.setTcpNoDelay(true);
                AtomicInteger open = new AtomicInteger(2);
                relay(client, up, open, oneWayNanos, bytesPerNano);
                relay(up, client, open, oneWayNanos, bytesPerNano);
            }
        }
    }

    /** {@code open}: directions still running; both sockets close with the last, or on an error. */
    private static void relay(Socket from, Socket to, AtomicInteger open, long delay, double bytesPerNano)
            throws IOException {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED);
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[CHUNK];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    queue.put(new Chunk(System.nanoTime() + delay, Arrays.copyOf(buf, n), n));
                }
            } catch (IOException | InterruptedException e) {
                // the connection ends
            }
            try {
                queue.put(new Chunk(System.nanoTime() + delay, null, -1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread writer = new Thread(() -> {
            long lineFree = 0; // when the limited line has sent everything before
            try {
                while (true) {
                    Chunk c = queue.take();
                    long wait = c.due() - System.nanoTime();
                    if (bytesPerNano > 0) {
                        lineFree = Math.max(lineFree, c.due()) + (long) (Math.max(c.length(), 0) / bytesPerNano);
                        wait = lineFree - System.nanoTime();
                    }
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    if (c.data() == null) {
                        to.shutdownOutput();
                        if (open.decrementAndGet() == 0) {
                            closeBoth(from, to);
                        }
                        return;
                    }
                    out.write(c.data(), 0, c.length());
                }
            } catch (IOException | InterruptedException e) {
                closeBoth(from, to); // the other side went away
            }
        });
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    private static void closeBoth(Socket a, Socket b) {
        for (Socket s : new Socket[] {a, b}) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
