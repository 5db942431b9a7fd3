package eu.rempart.vault.backend.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.rempart.vault.FileType;
import eu.rempart.vault.backend.Backend;

import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;

/**
 * A repository behind a server speaking restic's REST protocol ({@code rest:http(s)://[user:pass@]
 * host:port/path/}): Rempart's own {@code vault serve}, restic's rest-server, {@code rclone serve
 * restic}. Requests run concurrently up to {@link Options#connections}; transient failures
 * (connection refused or reset, 5xx, 429, timeouts) are retried with exponential back-off, and a
 * request that makes no progress ends with a timeout error rather than a hang.
 */
public final class RestBackend implements Backend {
    static final String V2 = "application/vnd.x.restic.rest.v2";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param connections requests in flight at once
     * @param timeout     for one request, plus one second per MiB transferred
     * @param retries     attempts after the first, for transient failures
     * @param tls         trust for https (null: the system's authorities)
     */
    public record Options(int connections, Duration timeout, int retries, SSLContext tls) {
        public static Options defaults() {
            return new Options(5, Duration.ofSeconds(60), 6, null);
        }
    }

    private final URI base;
    private final String location;
    private final Optional<String> authorization;
    private final Options opts;
    private final HttpClient client;
    private final Semaphore slots;

    /** @param url {@code http(s)://[user:pass@]host:port/[path]}, without the {@code rest:} prefix */
    public RestBackend(String url, Options opts) throws IOException {
        URI u;
        try {
            u = new URI(url.endsWith("/") ? url : url + "/");
        } catch (URISyntaxException e) {
            throw new IOException("invalid REST repository URL (expected rest:http(s)://host:port/path/)");
        }
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
            throw new IOException("invalid REST repository URL (expected rest:http(s)://host:port/path/)");
        }
        String info = u.getRawUserInfo();
        if (info != null) {
            int colon = info.indexOf(':');
            String user = URLDecoder.decode(colon < 0 ? info : info.substring(0, colon), StandardCharsets.UTF_8);
            String pass = colon < 0 ? "" : URLDecoder.decode(info.substring(colon + 1), StandardCharsets.UTF_8);
            authorization = Optional.of("Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8)));
        } else {
            authorization = Optional.empty();
        }
        try {
            base = new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null);
        } catch (URISyntaxException e) {
            throw new IOException("invalid REST repository URL", e);
        }
        // Never the password: the location appears in messages, logs and reports.
        location = "rest:" + base;
        this.opts = opts;
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(opts.timeout().compareTo(Duration.ofSeconds(10)) < 0 ? opts.timeout() : Duration.ofSeconds(10));
        if (opts.tls() != null) {
            b.sslContext(opts.tls());
        }
        client = b.build();
        slots = new Semaphore(Math.max(1, opts.connections()));
    }

    @Override
    public String location() {
        return location;
    }

    private URI uri(FileType type, String name) {
        return base.resolve(type == FileType.CONFIG ? "config" : type.dir() + "/" + name);
    }

    private String describe(FileType type, String name) {
        return location + (type == FileType.CONFIG ? "config" : type.dir() + "/" + name);
    }

    // ------------------------------------------------------------------ one request, with retries

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        authorization.ifPresent(a -> b.header("Authorization", a));
        return b;
    }

    /**
     * Sends a request, retrying transient failures. Returns the response of any status below 500
     * (except 429): the caller decides what 404 or 403 mean.
     */
    private <T> HttpResponse<T> send(String what, HttpRequest req, HttpResponse.BodyHandler<T> handler, long bytes)
            throws IOException {
        long limitMs = opts.timeout().toMillis() + bytes / 1024; // plus one second per MiB
        String last = null;
        for (int attempt = 0; ; attempt++) {
            if (attempt > 0) {
                sleepBackoff(attempt);
            }
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException(what + ": interrupted");
            }
            CompletableFuture<HttpResponse<T>> f = null;
            try {
                f = client.sendAsync(req, handler);
                HttpResponse<T> resp = f.get(limitMs, TimeUnit.MILLISECONDS);
                int s = resp.statusCode();
                if (s < 500 && s != 429) {
                    return resp;
                }
                last = "server answered " + s;
            } catch (TimeoutException e) {
                f.cancel(true);
                last = "no answer within " + limitMs / 1000 + " s";
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (!(c instanceof IOException)) {
                    throw new IOException(what + ": " + c, c);
                }
                last = c.getMessage() == null || c.getMessage().isBlank() ? c.getClass().getSimpleName() : c.getMessage();
            } catch (InterruptedException e) {
                if (f != null) {
                    f.cancel(true);
                }
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException(what + ": interrupted");
            } finally {
                slots.release();
            }
            if (attempt >= opts.retries()) {
                throw new IOException(what + " failed after " + (attempt + 1) + " attempts: " + last);
            }
        }
    }

    private static void sleepBackoff(int attempt) throws java.io.InterruptedIOException {
        long ms = Math.min(10_000, 250L << Math.min(attempt - 1, 10));
        ms += ThreadLocalRandom.current().nextLong(ms / 4 + 1); // jitter: clients do not retry in step
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }

    private IOException failure(String what, HttpResponse<?> resp, FileType type, String name) {
        int s = resp.statusCode();
        return switch (s) {
            case 404 -> new NoSuchFileException(describe(type, name));
            case 401 -> new IOException(location + ": the server refused the user name or password");
            case 403 -> new IOException(what + ": refused by the server (403 Forbidden)");
            case 413 -> new IOException(what + ": refused by the server: repository quota exceeded");
            default -> new IOException(what + ": server answered " + s);
        };
    }

    // ------------------------------------------------------------------ Backend

    @Override
    public void save(FileType type, String name, byte[] data) throws IOException {
        String what = "saving " + describe(type, name);
        HttpRequest req = request(uri(type, name))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(data)).build();
        HttpResponse<Void> resp = send(what, req, HttpResponse.BodyHandlers.discarding(), data.length);
        if (resp.statusCode() == 200) {
            return;
        }
        if (resp.statusCode() == 403 || resp.statusCode() == 409) {
            // Files are named by their content: if an earlier attempt got through before the
            // connection broke, the server holds this very file and refuses a second copy.
            Optional<Long> size = head(type, name);
            if (type != FileType.CONFIG && size.isPresent() && size.get() == data.length) {
                return;
            }
            if (size.isPresent()) {
                throw new FileAlreadyExistsException(describe(type, name));
            }
        }
        throw failure(what, resp, type, name);
    }

    @Override
    public byte[] load(FileType type, String name) throws IOException {
        String what = "reading " + describe(type, name);
        HttpResponse<byte[]> resp = send(what, request(uri(type, name)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray(), 16L << 20);
        if (resp.statusCode() != 200) {
            throw failure(what, resp, type, name);
        }
        return resp.body();
    }

    @Override
    public byte[] load(FileType type, String name, long offset, int length) throws IOException {
        String what = "reading " + describe(type, name);
        String range = offset < 0 ? "bytes=-" + length : "bytes=" + offset + "-" + (offset + length - 1);
        HttpResponse<byte[]> resp = send(what, request(uri(type, name)).header("Range", range).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray(), length);
        byte[] body = resp.body();
        if (resp.statusCode() == 206) {
            return body;
        }
        if (resp.statusCode() == 200) {
            // A server that ignores Range sends the whole file.
            long start = offset < 0 ? Math.max(0, body.length - length) : offset;
            if (start > body.length) {
                throw new EOFException(what + ": file has " + body.length + " bytes");
            }
            return java.util.Arrays.copyOfRange(body, (int) start, (int) Math.min(body.length, start + length));
        }
        if (resp.statusCode() == 416) {
            throw new EOFException(what + ": " + length + " bytes at " + offset + " beyond the end of the file");
        }
        throw failure(what, resp, type, name);
    }

    @Override
    public void read(FileType type, String name, long offset, byte[] dst, int dstOff, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(dstOff, length, dst.length);
        if (length == 0) {
            return;
        }
        byte[] b = load(type, name, offset, length);
        if (b.length != length) {
            throw new EOFException(describe(type, name) + ": " + b.length + " bytes at " + offset + " instead of " + length);
        }
        System.arraycopy(b, 0, dst, dstOff, length);
    }

    /** The size, or empty if the file does not exist. */
    private Optional<Long> head(FileType type, String name) throws IOException {
        String what = "looking up " + describe(type, name);
        HttpResponse<Void> resp = send(what, request(uri(type, name)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding(), 0);
        if (resp.statusCode() == 404) {
            return Optional.empty();
        }
        if (resp.statusCode() != 200) {
            throw failure(what, resp, type, name);
        }
        return Optional.of(resp.headers().firstValueAsLong("Content-Length").orElse(0));
    }

    @Override
    public long size(FileType type, String name) throws IOException {
        return head(type, name).orElseThrow(() -> new NoSuchFileException(describe(type, name)));
    }

    @Override
    public boolean exists(FileType type, String name) throws IOException {
        return head(type, name).isPresent();
    }

    @Override
    public List<FileInfo> list(FileType type) throws IOException {
        List<FileInfo> out = new ArrayList<>();
        if (type == FileType.CONFIG) {
            head(type, "config").ifPresent(size -> out.add(new FileInfo("config", size)));
            return out;
        }
        String what = "listing " + location + type.dir() + "/";
        HttpRequest req = request(base.resolve(type.dir() + "/")).header("Accept", V2).GET().build();
        HttpResponse<byte[]> resp = send(what, req, HttpResponse.BodyHandlers.ofByteArray(), 1L << 20);
        if (resp.statusCode() == 404) {
            return out; // no such directory yet: nothing of that type
        }
        if (resp.statusCode() != 200) {
            throw failure(what, resp, type, "");
        }
        JsonNode arr = JSON.readTree(resp.body());
        boolean v2 = resp.headers().firstValue("Content-Type").orElse("").startsWith(V2);
        if (arr == null || !arr.isArray()) {
            throw new IOException(what + ": the server's answer is not a list");
        }
        for (JsonNode n : arr) {
            if (v2) {
                out.add(new FileInfo(n.path("name").asText(), n.path("size").asLong()));
            } else {
                // API version 1 lists names only: ask each size (restic does the same).
                out.add(new FileInfo(n.asText(), size(type, n.asText())));
            }
        }
        return out;
    }

    @Override
    public void remove(FileType type, String name) throws IOException {
        String what = "removing " + describe(type, name);
        HttpResponse<Void> resp = send(what, request(uri(type, name)).DELETE().build(),
                HttpResponse.BodyHandlers.discarding(), 0);
        if (resp.statusCode() != 200 && resp.statusCode() != 204) {
            throw failure(what, resp, type, name);
        }
    }

    @Override
    public void create() throws IOException {
        if (exists(FileType.CONFIG, "config")) {
            throw new FileAlreadyExistsException(location + "config", null, "repository already exists");
        }
        String what = "creating " + location;
        HttpResponse<Void> resp = send(what, request(base.resolve("?create=true"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding(), 0);
        if (resp.statusCode() != 200) {
            throw failure(what, resp, FileType.CONFIG, "config");
        }
    }

    @Override
    public void close() {
        // HttpClient in Java 17 has no close; its connections end with the process or on idle timeout.
    }
}
