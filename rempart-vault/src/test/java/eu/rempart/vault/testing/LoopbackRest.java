package eu.rempart.vault.testing;

import eu.rempart.vault.backend.rest.RestBackend;
import eu.rempart.vault.server.RestServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/** A real `vault serve` (no authentication, not append-only) on 127.0.0.1, and clients of it. */
public final class LoopbackRest {
    private LoopbackRest() {
    }

    /** Serves the repositories under {@code root} on a free port; {@code accessLog} may be null. */
    public static RestServer start(Path root, Consumer<String> accessLog) throws IOException {
        return RestServer.start(new RestServer.Options(root, new InetSocketAddress("127.0.0.1", 0),
                false, null, false, null, 0, accessLog));
    }

    /**
     * Waits until {@code accessLog} holds the lines of every request answered so far. The server
     * logs a request once it has answered it, so a client can go on before the line is there: this
     * asks for a marker file through {@code client} and waits for its line (every earlier request
     * was answered before the marker was sent), then drops that line.
     */
    public static void settle(RestBackend client, java.util.List<String> accessLog) throws IOException {
        String marker = "ff".repeat(32);
        client.exists(eu.rempart.vault.FileType.SNAPSHOT, marker);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (accessLog.stream().noneMatch(l -> l.contains(marker))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the server did not log the marker request");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        accessLog.removeIf(l -> l.contains(marker));
    }

    /** A client of the repository {@code name} on {@code server}: 3 connections, 20 s timeout. */
    public static RestBackend backend(RestServer server, String name) throws IOException {
        return new RestBackend("http://127.0.0.1:" + server.address().getPort() + "/" + name,
                new RestBackend.Options(3, Duration.ofSeconds(20), 0, null));
    }
}
