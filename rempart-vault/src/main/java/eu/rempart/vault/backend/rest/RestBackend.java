package eu.rempart.vault.backend.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.rempart.vault.FileType;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.backend.BufferedPendingFile;
import eu.rempart.vault.backend.ReadAhead;
import eu.rempart.vault.backend.BufferedPendingFile.Content;
import eu.rempart.vault.backend.SpooledPendingFile;
import eu.rempart.vault.backend.StoreException;

import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * A repository behind a server speaking restic's REST protocol ({@code rest:http(s)://[user:pass@]
 * host:port/path/}): Rempart's own {@code vault serve}, restic's rest-server, {@code rclone serve
 * restic}. Requests run concurrently up to {@link Options#connections}; transient failures
 * (connection refused or reset, 5xx, 429, timeouts) are retried with exponential back-off, and a
 * request that makes no progress for {@link Options#timeout} ends with an error rather than a hang.
 *
 * <p>Plain blocking {@link HttpURLConnection}s with the JDK's keep-alive pool: the callers are
 * already explicit worker threads, and the asynchronous java.net.http client cost about 1.5 ms of
 * CPU per request, which made a check (one request per blob) three times slower than local.
 */
public final class RestBackend implements Backend {
    static final String V2 = "application/vnd.x.restic.rest.v2";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param connections requests in flight at once
     * @param timeout     longest wait for the server: to connect, for an answer, between two reads
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
    private final SSLSocketFactory tls;
    private final BufferedPendingFile.Blocks blocks = new BufferedPendingFile.Blocks();
    private final Semaphore slots;
    private final ReadAhead readAhead = new ReadAhead(this::openStream);

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
        this.tls = opts.tls() == null ? null : opts.tls().getSocketFactory();
        slots = new Semaphore(Math.max(1, opts.connections()));
    }

    @Override
    public String location() {
        return location;
    }

    private URI uri(FileType type, String name) {
        return base.resolve(type == FileType.CONFIG ? "config" : type.dir() + "/" + name);
    }

    /** A request's URL for messages: the location it was made under, and the path below it. */
    private String target(URI uri) {
        String below = base.relativize(uri).toString();
        return location + (below.startsWith("?") ? "" : below);
    }

    private String describe(FileType type, String name) {
        return location + (type == FileType.CONFIG ? "config" : type.dir() + "/" + name);
    }

    // ------------------------------------------------------------------ one request, with retries

    /**
     * A response: status, Content-Type and Content-Length headers, and the body, or for a 206 to
     * a request with an {@link Into}, how many bytes went there ({@code body} then empty).
     */
    private record Response(int status, String contentType, long contentLength, byte[] body, int intoLength,
            ReadAhead.Range stream) {
        Response(int status, String contentType, long contentLength, byte[] body, int intoLength) {
            this(status, contentType, contentLength, body, intoLength, null);
        }
    }

    /**
     * Where a partial answer's body goes: straight into the caller's buffer. A fresh array per
     * range (4–8 MiB for a restore's or a check's windows) made the small heap collect fully
     * every few requests: 4 s of pauses in a 3 GB restore.
     */
    private record Into(byte[] dst, int off, int length) {
    }

    /** Asks for a partial answer's body to be left open for the caller (see {@link #openStream}). */
    private static final Into STREAM = new Into(new byte[0], 0, 0);

    /**
     * Sends a request, retrying transient failures. Returns the response of any status below 500
     * (except 429): the caller decides what 404 or 403 mean.
     */
    private Response send(String what, String method, URI uri, Map<String, String> headers, Content body)
            throws IOException {
        return send(what, method, uri, headers, body, null);
    }

    private Response send(String what, String method, URI uri, Map<String, String> headers, Content body, Into into)
            throws IOException {
        String last = null;
        boolean timedOut = false;
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
            try {
                Response r = once(method, uri, headers, body, into);
                if (r.status < 500 && r.status != 429) {
                    return r;
                }
                last = "server answered " + r.status;
                timedOut = false;
            } catch (SocketTimeoutException e) {
                last = "no answer within " + opts.timeout().toSeconds() + " s";
                timedOut = true;
            } catch (javax.net.ssl.SSLException e) {
                // Certificates do not fix themselves between attempts.
                throw new StoreException(StoreException.Problem.TLS, target(uri), String.valueOf(e.getMessage()),
                        what + ": TLS failed: " + e.getMessage() + " (for a private certificate, give it with --cacert)", e);
            } catch (IOException e) {
                last = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                        : e.getClass().getSimpleName() + ": " + e.getMessage();
                timedOut = false;
            } finally {
                slots.release();
            }
            if (attempt >= opts.retries()) {
                String message = what + " failed after " + (attempt + 1) + " attempts: " + last;
                throw timedOut
                        ? new StoreException(StoreException.Problem.TIMEOUT, target(uri),
                                String.valueOf(opts.timeout().toSeconds()), message, null)
                        : new StoreException(StoreException.Problem.UNREACHABLE, target(uri), last, message, null);
            }
        }
    }

    private Response once(String method, URI uri, Map<String, String> headers, Content body, Into into)
            throws IOException {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        if (tls != null && c instanceof HttpsURLConnection h) {
            h.setSSLSocketFactory(tls);
        }
        int timeout = (int) Math.min(Integer.MAX_VALUE, opts.timeout().toMillis());
        c.setConnectTimeout(timeout);
        c.setReadTimeout(timeout); // between two reads: a slow but steady transfer is fine
        c.setUseCaches(false);
        c.setInstanceFollowRedirects(false);
        c.setRequestMethod(method);
        authorization.ifPresent(a -> c.setRequestProperty("Authorization", a));
        headers.forEach(c::setRequestProperty);
        try {
            if (body != null) {
                c.setDoOutput(true);
                c.setFixedLengthStreamingMode(body.length());
                try (java.io.OutputStream os = c.getOutputStream()) {
                    body.writeTo(os);
                }
            }
            int status = c.getResponseCode();
            java.io.InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            if (into == STREAM) {
                if (status == 206 && in != null && c.getContentLengthLong() >= 0) {
                    return new Response(status, c.getContentType(), c.getContentLengthLong(), new byte[0], 0,
                            new ReadAhead.Range(in, c.getContentLengthLong(), c::disconnect));
                }
                into = null; // not streamable: the body is read below like any other
            }
            byte[] data = new byte[0];
            int intoLength = 0;
            if (in != null) {
                try (in) {
                    long declared = c.getContentLengthLong();
                    if (status == 206 && into != null) {
                        intoLength = readInto(in, declared, into);
                    } else if (!"HEAD".equals(method) && declared >= 0 && declared <= Integer.MAX_VALUE - 8) {
                        // Straight into an array of the final size: large socket reads, no copies.
                        data = new byte[(int) declared];
                        int n = in.readNBytes(data, 0, data.length);
                        if (n < data.length) {
                            throw new EOFException("response ended after " + n + " of " + declared + " bytes");
                        }
                    } else {
                        data = in.readAllBytes(); // to the end, so the connection can be reused
                    }
                }
            }
            return new Response(status, c.getContentType(), c.getContentLengthLong(), data, intoLength);
        } catch (java.net.HttpRetryException e) {
            // A 401 (or redirect) to a streamed upload: an answer, not a transport failure.
            c.disconnect();
            return new Response(e.responseCode(), null, -1, new byte[0], 0);
        } catch (IOException e) {
            c.disconnect(); // a half-read connection must not go back to the pool
            throw e;
        }
    }

    /** A partial answer's body, of {@code declared} bytes (-1: unknown, chunked), into the caller's buffer. */
    private static int readInto(java.io.InputStream in, long declared, Into into) throws IOException {
        if (declared > into.length()) {
            throw new IOException("the server sent " + declared + " bytes for a range of " + into.length());
        }
        if (declared >= 0) {
            int n = in.readNBytes(into.dst(), into.off(), (int) declared);
            if (n < declared) {
                throw new EOFException("response ended after " + n + " of " + declared + " bytes");
            }
            return n;
        }
        int n = in.readNBytes(into.dst(), into.off(), into.length());
        if (in.read() >= 0) {
            throw new IOException("the server sent more than the " + into.length() + " bytes asked for");
        }
        return n;
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

    private IOException failure(String what, Response resp, FileType type, String name) {
        return switch (resp.status) {
            case 404 -> new NoSuchFileException(describe(type, name));
            case 401 -> new StoreException(StoreException.Problem.CREDENTIALS, location, "401 Unauthorized",
                    location + ": the server refused the user name or password", null);
            case 403 -> new StoreException(StoreException.Problem.FORBIDDEN, describe(type, name), "403 Forbidden",
                    what + ": refused by the server (403 Forbidden)", null);
            case 413 -> new StoreException(StoreException.Problem.QUOTA, describe(type, name), "",
                    what + ": refused by the server: repository quota exceeded", null);
            default -> new IOException(what + ": server answered " + resp.status);
        };
    }

    // ------------------------------------------------------------------ Backend

    @Override
    public void save(FileType type, String name, byte[] data) throws IOException {
        save(type, name, Content.of(data));
    }

    private void save(FileType type, String name, Content data) throws IOException {
        String what = "saving " + describe(type, name);
        Response resp = send(what, "POST", uri(type, name), Map.of("Content-Type", "application/octet-stream"), data);
        if (resp.status == 200) {
            return;
        }
        if (resp.status == 403 || resp.status == 409) {
            // Files are named by their content: if an earlier attempt got through before the
            // connection broke, the server holds this very file and refuses a second copy.
            Optional<Long> size = head(type, name);
            if (type != FileType.CONFIG && size.isPresent() && size.get() == data.length()) {
                return;
            }
            if (size.isPresent()) {
                throw new FileAlreadyExistsException(describe(type, name));
            }
        }
        throw failure(what, resp, type, name);
    }

    /** A pack is spooled to a temporary file and sent from there on commit, retries included. */
    @Override
    public PendingFile create(FileType type) {
        return new SpooledPendingFile((name, content) -> save(type, name, content), blocks);
    }

    @Override
    public byte[] load(FileType type, String name) throws IOException {
        String what = "reading " + describe(type, name);
        Response resp = send(what, "GET", uri(type, name), Map.of(), null);
        if (resp.status != 200) {
            throw failure(what, resp, type, name);
        }
        return resp.body;
    }

    @Override
    public byte[] load(FileType type, String name, long offset, int length) throws IOException {
        if (length == 0) {
            return new byte[0];
        }
        if (offset >= 0) {
            byte[] b = new byte[length];
            int n = readUpTo(type, name, offset, b, 0, length);
            return n == length ? b : java.util.Arrays.copyOf(b, n);
        }
        String what = "reading " + describe(type, name);
        Response resp = send(what, "GET", uri(type, name), Map.of("Range", "bytes=-" + length), null);
        if (resp.status == 206) {
            return resp.body;
        }
        if (resp.status == 200) {
            // A server that ignores Range sends the whole file.
            byte[] body = resp.body;
            return java.util.Arrays.copyOfRange(body, Math.max(0, body.length - length), body.length);
        }
        throw failure(what, resp, type, name);
    }

    /** Streams a range straight into {@code dst} (see {@link Into}). */
    @Override
    public int readUpTo(FileType type, String name, long offset, byte[] dst, int dstOff, int length)
            throws IOException {
        String what = "reading " + describe(type, name);
        Response resp = send(what, "GET", uri(type, name), Map.of("Range", "bytes=" + offset + "-" + (offset + length - 1)),
                null, new Into(dst, dstOff, length));
        if (resp.status == 206) {
            return resp.intoLength;
        }
        if (resp.status == 200) {
            // A server that ignores Range sends the whole file.
            byte[] body = resp.body;
            if (offset > body.length) {
                throw new EOFException(what + ": file has " + body.length + " bytes");
            }
            int n = (int) Math.min(length, body.length - offset);
            System.arraycopy(body, (int) offset, dst, dstOff, n);
            return n;
        }
        if (resp.status == 416) {
            throw new EOFException(what + ": " + length + " bytes at " + offset + " beyond the end of the file");
        }
        throw failure(what, resp, type, name);
    }

    /**
     * A range for {@link ReadAhead}, whose body the caller reads as it needs it. The request is
     * retried as any other; a body that breaks off, by ReadAhead. The open response keeps its
     * connection outside {@link Options#connections()}: one per reading thread at most. A server
     * that ignores ranges (or does not say how long the answer is) gets the range read at once.
     */
    private ReadAhead.Range openStream(FileType type, String name, long offset, long length) throws IOException {
        String what = "reading " + describe(type, name);
        Response resp = send(what, "GET", uri(type, name), Map.of("Range", "bytes=" + offset + "-" + (offset + length - 1)),
                null, STREAM);
        if (resp.stream != null) {
            return resp.stream;
        }
        if (resp.status == 416) {
            throw new EOFException(what + ": nothing at " + offset + ", beyond the end of the file");
        }
        byte[] b = resp.body;
        int from;
        if (resp.status == 206) {
            from = 0; // the range, of a length not announced
        } else if (resp.status == 200) {
            from = (int) Math.min(offset, b.length); // the whole file
        } else {
            throw failure(what, resp, type, name);
        }
        int n = (int) Math.min(length, b.length - from);
        return new ReadAhead.Range(new java.io.ByteArrayInputStream(b, from, n), n, () -> { });
    }

    /** Reads ahead (see {@link ReadAhead}): a check streams every pack blob by blob. */
    @Override
    public void readSequential(FileType type, String name, long offset, byte[] dst, int dstOff, int length)
            throws IOException {
        readAhead.read(type, name, offset, dst, dstOff, length);
    }

    @Override
    public void readSequential(FileType type, String name, long offset, byte[] dst, int dstOff, int length,
            long until) throws IOException {
        readAhead.read(type, name, offset, dst, dstOff, length, until);
    }

    /** The size, or empty if the file does not exist. */
    private Optional<Long> head(FileType type, String name) throws IOException {
        String what = "looking up " + describe(type, name);
        Response resp = send(what, "HEAD", uri(type, name), Map.of(), null);
        if (resp.status == 404) {
            return Optional.empty();
        }
        if (resp.status != 200) {
            throw failure(what, resp, type, name);
        }
        return Optional.of(Math.max(0, resp.contentLength));
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
        Response resp = send(what, "GET", base.resolve(type.dir() + "/"), Map.of("Accept", V2), null);
        if (resp.status == 404) {
            return out; // no such directory yet: nothing of that type
        }
        if (resp.status != 200) {
            throw failure(what, resp, type, "");
        }
        JsonNode arr = JSON.readTree(resp.body);
        boolean v2 = resp.contentType != null && resp.contentType.startsWith(V2);
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
        Response resp = send(what, "DELETE", uri(type, name), Map.of(), null);
        if (resp.status != 200 && resp.status != 204) {
            throw failure(what, resp, type, name);
        }
        readAhead.forget(type, name);
    }

    @Override
    public void create() throws IOException {
        if (exists(FileType.CONFIG, "config")) {
            throw new FileAlreadyExistsException(location + "config", null, "repository already exists");
        }
        String what = "creating " + location;
        Response resp = send(what, "POST", base.resolve("?create=true"), Map.of(), Content.of(new byte[0]));
        if (resp.status != 200) {
            throw failure(what, resp, FileType.CONFIG, "config");
        }
    }

    @Override
    public void close() {
        // HttpClient in Java 17 has no close; its connections end with the process or on idle timeout.
    }
}
