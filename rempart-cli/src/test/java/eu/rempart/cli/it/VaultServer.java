package eu.rempart.cli.it;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@code rempart vault serve} process on 127.0.0.1, for the tests: started, then stopped or killed. */
final class VaultServer implements AutoCloseable {
    final Process process;
    final String url;
    final Path log;
    private final Path out;

    private VaultServer(Process process, String url, Path out, Path log) {
        this.process = process;
        this.url = url;
        this.out = out;
        this.log = log;
    }

    /**
     * Starts a server on {@code port} (0 for any free port) with the given extra options and waits
     * until it listens.
     */
    static VaultServer start(RempartProcess rempart, Path scratch, Path dir, int port, String... options)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(scratch, "serve-out", ".txt");
        Path err = Files.createTempFile(scratch, "serve-err", ".txt");
        Path log = Files.createTempFile(scratch, "serve-access", ".log");
        List<String> args = new ArrayList<>(List.of("--json", "vault", "serve", "--path", dir.toString(),
                "--listen", "127.0.0.1:" + port, "--log", log.toString()));
        args.addAll(List.of(options));
        Process p = rempart.start(out, err, args.toArray(new String[0]));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                if (line.startsWith("{")) {
                    JsonNode n = RempartProcess.JSON.readTree(line);
                    if ("serving".equals(n.path("message_type").asText())) {
                        return new VaultServer(p, n.path("url").asText(), out, log);
                    }
                }
            }
            if (!p.isAlive()) {
                throw new AssertionError("vault serve exited with " + p.exitValue() + ": "
                        + Files.readString(out) + Files.readString(err));
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new AssertionError("vault serve did not start: " + Files.readString(err));
    }

    int port() {
        return Integer.parseInt(url.replaceAll(".*:(\\d+)/$", "$1"));
    }

    /** The URL with credentials and a repository path, as a client writes it after {@code rest:}. */
    String repo(String user, String password, String path) {
        String auth = user == null ? "" : user + ":" + password + "@"; // test passwords are URL-safe
        return "rest:" + url.replaceFirst("://", "://" + auth) + path;
    }

    String accessLog() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** SIGKILL: the server vanishes mid-request, as when its machine loses power. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
