package eu.rempart.vault.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.backend.local.LocalBackend;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A repository server speaking restic's REST backend protocol (v1 and v2) over repositories in a
 * local directory, as restic's rest-server does, for the practice's server or NAS and for the IT
 * provider's off-site host.
 *
 * <p>With {@code appendOnly}, a client can add files but never delete or overwrite any, except
 * lock files: a compromised practice PC that holds the repository password can still not destroy
 * the backups stored here. Files are published with a no-replace link, so even two racing uploads
 * of one name cannot overwrite each other, and uploads are checked against their name (the SHA-256
 * of the content) before they are published.
 */
public final class RestServer implements AutoCloseable {
    static final String V2 = "application/vnd.x.restic.rest.v2";
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param root        directory holding the repositories ({@code /} is {@code root} itself)
     * @param htpasswd    users allowed in (bcrypt htpasswd file); null serves without authentication
     * @param privateRepos a user may only reach repositories under {@code /<user>/}
     * @param maxRepoBytes quota per repository in bytes, 0 for none
     * @param accessLog   one line per request (method, path, status, sizes; never credentials)
     */
    public record Options(Path root, InetSocketAddress listen, boolean appendOnly, Path htpasswd,
            boolean privateRepos, SSLContext tls, long maxRepoBytes, Consumer<String> accessLog) {
        public Options {
            if (privateRepos && htpasswd == null) {
                throw new IllegalArgumentException("private repositories need authentication");
            }
        }
    }

    private final Options opts;
    private final Htpasswd users;
    private final HttpServer http;
    private final ThreadPoolExecutor pool;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();

    /** One repository: its storage and, with a quota, its current size. */
    private static final class Repo {
        final LocalBackend backend;
        final AtomicLong size = new AtomicLong(-1);

        Repo(Path dir) {
            backend = new LocalBackend(dir);
        }
    }

    private RestServer(Options opts, Htpasswd users, HttpServer http, ThreadPoolExecutor pool) {
        this.opts = opts;
        this.users = users;
        this.http = http;
        this.pool = pool;
    }

    public static RestServer start(Options opts) throws IOException {
        // The JDK server leaves Nagle's algorithm on by default: a response's headers and body then
        // wait for the client's delayed ACK, 40 ms per request, which made a check 16x slower.
        // Read once, when the JDK's server configuration class loads.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        Files.createDirectories(opts.root());
        Htpasswd users = opts.htpasswd() == null ? null : new Htpasswd(opts.htpasswd());
        HttpServer http;
        if (opts.tls() != null) {
            HttpsServer s = HttpsServer.create(opts.listen(), 64);
            s.setHttpsConfigurator(new HttpsConfigurator(opts.tls()));
            http = s;
        } else {
            http = HttpServer.create(opts.listen(), 64);
        }
        // Explicit, bounded: a flood of requests queues (then is refused) instead of spawning threads.
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(16, 16, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256), r -> {
            Thread t = new Thread(r, "rempart-serve-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        http.setExecutor(pool);
        RestServer server = new RestServer(opts, users, http, pool);
        http.createContext("/", server::handle);
        http.start();
        return server;
    }

    public InetSocketAddress address() {
        return http.getAddress();
    }

    @Override
    public void close() {
        http.stop(0);
        pool.shutdownNow();
    }

    // ------------------------------------------------------------------ requests

    /** A request's answer, for the access log. */
    private static final class Reply {
        int status;
        long sent;
        long received;
    }

    private void handle(HttpExchange ex) {
        long start = System.nanoTime();
        Reply r = new Reply();
        String user = "-";
        try {
            user = authenticate(ex);
            if (user == null) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"restic\"");
                send(ex, r, 401, "unauthorized");
                user = "-";
            } else {
                route(ex, r, user);
            }
        } catch (HttpError e) {
            trySend(ex, r, e.status, e.getMessage());
        } catch (NoSuchFileException e) {
            trySend(ex, r, 404, "not found");
        } catch (FileAlreadyExistsException e) {
            trySend(ex, r, 403, "file exists");
        } catch (IOException | RuntimeException e) {
            trySend(ex, r, 500, "internal server error");
            log("error: " + ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath() + ": " + e);
        } finally {
            log(String.format(Locale.ROOT, "%s %s %s %s %s %d %d %d %.1fms", Instant.now(),
                    ex.getRemoteAddress().getAddress().getHostAddress(), user.isEmpty() ? "-" : user, ex.getRequestMethod(),
                    ex.getRequestURI().getRawPath(), r.status, r.received, r.sent, (System.nanoTime() - start) / 1e6));
            ex.close(); // after the catch clauses, which may still answer
        }
    }

    private void log(String line) {
        if (opts.accessLog() != null) {
            opts.accessLog().accept(line);
        }
    }

    /** The user name, "" without authentication, or null if refused. */
    private String authenticate(HttpExchange ex) {
        if (users == null) {
            return "";
        }
        String h = ex.getRequestHeaders().getFirst("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(h.substring(6).trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
        String s = new String(raw, StandardCharsets.UTF_8);
        Arrays.fill(raw, (byte) 0);
        int colon = s.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        String user = s.substring(0, colon);
        char[] pw = s.substring(colon + 1).toCharArray();
        try {
            return users.check(user, pw) ? user : null;
        } finally {
            Arrays.fill(pw, '\0');
        }
    }

    private static final class HttpError extends IOException {
        final int status;

        HttpError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** A parsed request path: the repository, and the type and name of a file (either may be null). */
    private record Target(String repo, FileType type, String name) {
    }

    private Target parse(String rawPath, String user) throws HttpError {
        if (!rawPath.startsWith("/")) {
            throw new HttpError(400, "bad path");
        }
        boolean dir = rawPath.endsWith("/");
        List<String> seg = new ArrayList<>();
        for (String s : rawPath.substring(1).split("/")) {
            if (!s.isEmpty()) {
                if (!SEGMENT.matcher(s).matches()) {
                    throw new HttpError(400, "bad path");
                }
                seg.add(s);
            }
        }
        Target t;
        int n = seg.size();
        if (n >= 1 && !dir && seg.get(n - 1).equals("config")) {
            t = new Target(String.join("/", seg.subList(0, n - 1)), FileType.CONFIG, "config");
        } else if (n >= 1 && dir && type(seg.get(n - 1)) != null) {
            t = new Target(String.join("/", seg.subList(0, n - 1)), type(seg.get(n - 1)), null);
        } else if (n >= 2 && !dir && type(seg.get(n - 2)) != null) {
            String name = seg.get(n - 1);
            if (!Id.isFileName(name)) {
                throw new HttpError(400, "bad file name");
            }
            t = new Target(String.join("/", seg.subList(0, n - 2)), type(seg.get(n - 2)), name);
        } else {
            t = new Target(String.join("/", seg), null, null);
        }
        if (opts.privateRepos() && !(t.repo.equals(user) || t.repo.startsWith(user + "/"))) {
            throw new HttpError(403, "forbidden");
        }
        return t;
    }

    private static FileType type(String dir) {
        for (FileType t : FileType.values()) {
            if (t != FileType.CONFIG && t.dir().equals(dir)) {
                return t;
            }
        }
        return null;
    }

    private Repo repo(String path) {
        return repos.computeIfAbsent(path, p -> new Repo(p.isEmpty() ? opts.root() : opts.root().resolve(p)));
    }

    private void route(HttpExchange ex, Reply r, String user) throws IOException {
        String method = ex.getRequestMethod();
        Target t = parse(ex.getRequestURI().getRawPath(), user);
        Repo repo = repo(t.repo);
        if (t.type == null) {
            switch (method) {
                case "POST" -> {
                    if (!"create=true".equals(ex.getRequestURI().getRawQuery())) {
                        throw new HttpError(400, "bad request");
                    }
                    createRepo(repo);
                    send(ex, r, 200, null);
                }
                case "DELETE" -> throw new HttpError(opts.appendOnly() ? 403 : 501, "repository deletion refused");
                default -> throw new HttpError(405, "method not allowed");
            }
            return;
        }
        if (!Files.isDirectory(repo.backend.root())) {
            throw new HttpError(404, "no repository here");
        }
        if (t.name == null) {
            if (!method.equals("GET")) {
                throw new HttpError(405, "method not allowed");
            }
            list(ex, r, repo, t.type);
            return;
        }
        switch (method) {
            case "HEAD" -> {
                long size = repo.backend.size(t.type, t.name);
                ex.getResponseHeaders().set("Content-Length", Long.toString(size));
                ex.sendResponseHeaders(200, -1);
                r.status = 200;
            }
            case "GET" -> get(ex, r, repo, t);
            case "POST" -> save(ex, r, repo, t);
            case "DELETE" -> {
                if (opts.appendOnly() && t.type != FileType.LOCK) {
                    throw new HttpError(403, "append-only: deletion refused");
                }
                long size = opts.maxRepoBytes() > 0 ? repo.backend.size(t.type, t.name) : 0;
                repo.backend.remove(t.type, t.name);
                if (repo.size.get() >= 0) {
                    repo.size.addAndGet(-size);
                }
                send(ex, r, 200, null);
            }
            default -> throw new HttpError(405, "method not allowed");
        }
    }

    private void createRepo(Repo repo) throws IOException {
        try {
            repo.backend.create();
        } catch (FileAlreadyExistsException e) {
            // "200 OK if the repository structure was created successfully or already exists"
        }
    }

    private void list(HttpExchange ex, Reply r, Repo repo, FileType type) throws IOException {
        List<Backend.FileInfo> files = repo.backend.list(type);
        String accept = ex.getRequestHeaders().getFirst("Accept");
        boolean v2 = accept != null && accept.contains(V2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartArray();
            for (Backend.FileInfo f : files) {
                if (v2) {
                    g.writeStartObject();
                    g.writeStringField("name", f.name());
                    g.writeNumberField("size", f.size());
                    g.writeEndObject();
                } else {
                    g.writeString(f.name());
                }
            }
            g.writeEndArray();
        }
        ex.getResponseHeaders().set("Content-Type", v2 ? V2 : "application/vnd.x.restic.rest.v1");
        send(ex, r, 200, out.toByteArray());
    }

    private void get(HttpExchange ex, Reply r, Repo repo, Target t) throws IOException {
        long size = repo.backend.size(t.type, t.name);
        long from = 0;
        long to = size; // exclusive
        String range = ex.getRequestHeaders().getFirst("Range");
        int status = 200;
        if (range != null) {
            long[] fr = parseRange(range, size);
            from = fr[0];
            to = fr[1];
            status = 206;
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (to - 1) + "/" + size);
        }
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(status, to - from == 0 ? -1 : to - from);
        r.status = status;
        byte[] buf = new byte[(int) Math.min(1 << 20, Math.max(1, to - from))];
        try (OutputStream os = ex.getResponseBody()) {
            for (long pos = from; pos < to; ) {
                int n = (int) Math.min(buf.length, to - pos);
                repo.backend.readSequential(t.type, t.name, pos, buf, 0, n);
                os.write(buf, 0, n);
                pos += n;
                r.sent += n;
            }
        }
    }

    /** {@code bytes=a-b}, {@code bytes=a-} or {@code bytes=-n}, as [from, to). */
    private static long[] parseRange(String h, long size) throws HttpError {
        String s = h.trim();
        if (!s.startsWith("bytes=") || s.contains(",")) {
            throw new HttpError(416, "unsupported range");
        }
        s = s.substring(6).trim();
        int dash = s.indexOf('-');
        try {
            long from;
            long to;
            if (dash == 0) {
                long n = Long.parseLong(s.substring(1));
                from = Math.max(0, size - n);
                to = size;
            } else {
                from = Long.parseLong(s.substring(0, dash));
                to = dash == s.length() - 1 ? size : Math.min(size, Long.parseLong(s.substring(dash + 1)) + 1);
            }
            if (from < 0 || from >= size || to <= from) {
                throw new HttpError(416, "range not satisfiable");
            }
            return new long[] {from, to};
        } catch (NumberFormatException e) {
            throw new HttpError(416, "bad range");
        }
    }

    private void save(HttpExchange ex, Reply r, Repo repo, Target t) throws IOException {
        if (repo.backend.exists(t.type, t.name)) {
            // Append-only or not, files are immutable: rest-server answers the same.
            drain(ex);
            throw new HttpError(403, "file exists");
        }
        long quota = opts.maxRepoBytes();
        if (quota > 0 && repo.size.get() < 0) {
            long total = 0;
            for (FileType ft : FileType.values()) {
                for (Backend.FileInfo f : repo.backend.list(ft)) {
                    total += f.size();
                }
            }
            repo.size.compareAndSet(-1, total);
        }
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (quota > 0 && declared != null && repo.size.get() + Long.parseLong(declared) > quota) {
            drain(ex);
            throw new HttpError(413, "repository quota exceeded");
        }
        MessageDigest md = sha256();
        long received = 0;
        try (Backend.PendingFile pf = repo.backend.create(t.type); InputStream in = ex.getRequestBody()) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                received += n;
                r.received = received;
                if (quota > 0 && repo.size.get() + received > quota) {
                    throw new HttpError(413, "repository quota exceeded");
                }
                md.update(buf, 0, n);
                pf.write(buf, 0, n);
            }
            if (declared != null && received != Long.parseLong(declared)) {
                throw new HttpError(400, "incomplete upload");
            }
            if (t.type != FileType.CONFIG && !HexFormat.of().formatHex(md.digest()).equals(t.name)) {
                throw new HttpError(400, "content does not match its name");
            }
            pf.commit(t.name);
        }
        if (repo.size.get() >= 0) {
            repo.size.addAndGet(received);
        }
        send(ex, r, 200, null);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void drain(HttpExchange ex) {
        try (InputStream in = ex.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the client went away; nothing to answer
        }
    }

    private static void send(HttpExchange ex, Reply r, int status, Object body) throws IOException {
        byte[] b = body == null || ex.getRequestMethod().equals("HEAD") ? new byte[0]
                : body instanceof byte[] bytes ? bytes : (body + "\n").getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        r.status = status;
        if (b.length > 0) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
            r.sent = b.length;
        }
    }

    private static void trySend(HttpExchange ex, Reply r, int status, String message) {
        try {
            if (r.status == 0) {
                send(ex, r, status, message);
            }
        } catch (IOException ignored) {
            // headers already gone or the client left
        }
    }
}
