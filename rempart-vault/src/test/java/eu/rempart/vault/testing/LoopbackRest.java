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

    /** A client of the repository {@code name} on {@code server}: 3 connections, 20 s timeout. */
    public static RestBackend backend(RestServer server, String name) throws IOException {
        return new RestBackend("http://127.0.0.1:" + server.address().getPort() + "/" + name,
                new RestBackend.Options(3, Duration.ofSeconds(20), 0, null));
    }
}
