package eu.rempart.vault.backend.rest;

import eu.rempart.vault.FileType;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.backend.StoreException;
import eu.rempart.vault.server.RestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The REST client against the REST server, in one process on 127.0.0.1: the Backend contract over HTTP. */
class RestBackendTest {
    @TempDir
    Path dir;

    RestServer start(boolean appendOnly, List<String> log) throws IOException {
        return RestServer.start(new RestServer.Options(dir, new InetSocketAddress("127.0.0.1", 0), appendOnly, null,
                false, null, 0, line -> {
                    synchronized (log) {
                        log.add(line);
                    }
                }));
    }

    static RestBackend client(RestServer s, String userInfo, String path) throws IOException {
        return new RestBackend("http://" + userInfo + "127.0.0.1:" + s.address().getPort() + "/" + path,
                new RestBackend.Options(3, Duration.ofSeconds(20), 0, null));
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void theBackendContractHoldsOverHttp() throws Exception {
        List<String> log = new ArrayList<>();
        try (RestServer s = start(false, log); RestBackend b = client(s, "user:secret-pw@", "practice/main")) {
            assertThat(b.location()).isEqualTo("rest:http://127.0.0.1:" + s.address().getPort() + "/practice/main/")
                    .doesNotContain("secret-pw");
            b.create();
            assertThat(b.exists(FileType.CONFIG, "config")).isFalse();
            b.save(FileType.CONFIG, "config", "cfg".getBytes());
            assertThat(b.load(FileType.CONFIG, "config")).isEqualTo("cfg".getBytes());
            assertThatThrownBy(b::create).isInstanceOf(java.nio.file.FileAlreadyExistsException.class);

            byte[] pack = random(3_000_000, 1);
            String id = sha(pack);
            b.save(FileType.PACK, id, pack);
            b.save(FileType.PACK, id, pack); // a retried upload that already got through is fine
            assertThat(b.size(FileType.PACK, id)).isEqualTo(pack.length);
            assertThat(b.load(FileType.PACK, id)).isEqualTo(pack);
            assertThat(b.load(FileType.PACK, id, 1234, 5000)).isEqualTo(java.util.Arrays.copyOfRange(pack, 1234, 6234));
            assertThat(b.load(FileType.PACK, id, -100, 100)).isEqualTo(java.util.Arrays.copyOfRange(pack, pack.length - 100, pack.length));
            byte[] dst = new byte[10_010];
            b.read(FileType.PACK, id, pack.length - 10_000, dst, 10, 10_000);
            assertThat(java.util.Arrays.copyOfRange(dst, 10, dst.length))
                    .isEqualTo(java.util.Arrays.copyOfRange(pack, pack.length - 10_000, pack.length));
            assertThatThrownBy(() -> b.read(FileType.PACK, id, pack.length - 5, new byte[10], 0, 10))
                    .isInstanceOf(EOFException.class);
            // Reading ahead asks past the end of the file: the server sends what there is.
            byte[] tail = new byte[100];
            b.readSequential(FileType.PACK, id, pack.length - 100, tail, 0, 100);
            assertThat(tail).isEqualTo(java.util.Arrays.copyOfRange(pack, pack.length - 100, pack.length));
            assertThat(b.list(FileType.PACK)).containsExactly(new Backend.FileInfo(id, pack.length));
            assertThat(b.list(FileType.LOCK)).isEmpty();

            byte[] other = random(100, 2);
            assertThatThrownBy(() -> b.save(FileType.SNAPSHOT, sha(pack), other))
                    .isInstanceOf(IOException.class).hasMessageContaining("400");
            assertThat(b.exists(FileType.SNAPSHOT, sha(pack))).isFalse();
            assertThatThrownBy(() -> b.save(FileType.PACK, id, other)).isInstanceOf(IOException.class);

            b.remove(FileType.PACK, id);
            assertThat(b.exists(FileType.PACK, id)).isFalse();
            assertThatThrownBy(() -> b.size(FileType.PACK, id)).isInstanceOf(NoSuchFileException.class);
            assertThatThrownBy(() -> b.load(FileType.PACK, id)).isInstanceOf(NoSuchFileException.class);
        }
        assertThat(String.join("\n", log)).contains("POST /practice/main/data/").doesNotContain("secret-pw");
        assertThat(dir.resolve("practice/main/config")).exists();
    }

    @Test
    void appendOnlyRefusesDeletionExceptOfLocks() throws Exception {
        try (RestServer s = start(true, new ArrayList<>()); RestBackend b = client(s, "", "r")) {
            b.create();
            byte[] snap = "{}".getBytes();
            byte[] lock = "{\"lock\":1}".getBytes();
            b.save(FileType.SNAPSHOT, sha(snap), snap);
            b.save(FileType.LOCK, sha(lock), lock);
            assertThatThrownBy(() -> b.remove(FileType.SNAPSHOT, sha(snap)))
                    .isInstanceOf(IOException.class).hasMessageContaining("403");
            assertThat(b.exists(FileType.SNAPSHOT, sha(snap))).isTrue();
            b.remove(FileType.LOCK, sha(lock));
            assertThat(b.exists(FileType.LOCK, sha(lock))).isFalse();
        }
    }

    /**
     * Uploads cut off mid-body (a client whose network drops, all its connections at once) are
     * dropped by the server, and the uploads after them land intact. The server's files are
     * written with direct I/O through pooled buffers, and an abandoned upload once gave back a
     * half-filled one: the next pack stored over a megabyte was written with stale bytes ahead of
     * its own and no longer matched its name.
     */
    @Test
    void uploadsCutOffMidBodyLeaveLaterUploadsIntact() throws Exception {
        try (RestServer s = start(false, new ArrayList<>()); RestBackend b = client(s, "", "r")) {
            b.create();
            List<java.net.Socket> cut = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                byte[] body = random(600_000, 100 + i);
                java.net.Socket sock = new java.net.Socket("127.0.0.1", s.address().getPort());
                java.io.OutputStream out = sock.getOutputStream();
                out.write(("POST /r/data/" + sha(body) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                        + body.length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.write(body, 0, 300_000); // half the body, then nothing
                out.flush();
                cut.add(sock);
            }
            Thread.sleep(300); // the server is now holding three half-written uploads
            for (java.net.Socket sock : cut) {
                sock.close();
            }
            Path data = dir.resolve("r").resolve("data");
            // The server drops them (no file is published); wait until it has.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline && hasTemporaryFiles(data)) {
                Thread.sleep(20);
            }
            assertThat(hasTemporaryFiles(data)).isFalse();
            for (int i = 0; i < 4; i++) {
                byte[] pack = random(3 * (1 << 20) + 4321 * i, 200 + i);
                String id = sha(pack);
                b.save(FileType.PACK, id, pack);
                Path stored = data.resolve(id.substring(0, 2)).resolve(id);
                assertThat(sha(java.nio.file.Files.readAllBytes(stored))).as("pack %d on the server's disk", i)
                        .isEqualTo(id);
            }
        }
    }

    /**
     * Whether {@code data/} holds anything but its two-hex-digit folders: the server's temporary
     * upload files. Names only (no stat, no descent), since the server deletes them meanwhile.
     */
    private static boolean hasTemporaryFiles(Path data) throws IOException {
        if (!java.nio.file.Files.isDirectory(data)) {
            return false;
        }
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(data)) {
            return s.anyMatch(p -> !p.getFileName().toString().matches("[0-9a-f]{2}"));
        }
    }

    @Test
    void aServerThatIsGoneGivesAClearErrorAfterTheRetries() throws Exception {
        int port;
        try (RestServer s = start(false, new ArrayList<>())) {
            port = s.address().getPort();
        }
        RestBackend b = new RestBackend("http://127.0.0.1:" + port + "/r/",
                new RestBackend.Options(2, Duration.ofSeconds(5), 2, null));
        assertThatThrownBy(() -> b.exists(FileType.CONFIG, "config")).isInstanceOfSatisfying(StoreException.class, e -> {
            assertThat(e.problem()).isEqualTo(StoreException.Problem.UNREACHABLE);
            assertThat(e.where()).isEqualTo("rest:http://127.0.0.1:" + port + "/r/config");
            assertThat(e.detail()).isEqualTo("ConnectException: Connection refused");
        }).hasMessage("looking up rest:http://127.0.0.1:" + port + "/r/config failed after 3 attempts: "
                + "ConnectException: Connection refused");
    }

    /**
     * A server (or proxy) may send a range chunked, without Content-Length, or ignore the range:
     * the bytes still land in the caller's buffer, and a range answered with too much is an error.
     */
    @Test
    void rangesChunkedOrIgnoredStillReadRight() throws Exception {
        byte[] pack = random(100_000, 7);
        String id = sha(pack);
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", ex -> {
            String range = ex.getRequestHeaders().getFirst("Range");
            String path = ex.getRequestURI().getPath();
            byte[] body = pack;
            int status = 200;
            if (path.contains("/chunked/") && range != null) {
                String[] fr = range.substring("bytes=".length()).split("-");
                int from = Integer.parseInt(fr[0]);
                int to = Math.min(pack.length - 1, Integer.parseInt(fr[1]));
                body = java.util.Arrays.copyOfRange(pack, from, to + 1);
                status = 206;
            } else if (path.contains("/toomuch/")) {
                status = 206;
            }
            ex.sendResponseHeaders(status, 0); // 0: chunked
            try (var os = ex.getResponseBody()) {
                os.write(body);
            }
        });
        http.start();
        try {
            String base = "http://127.0.0.1:" + http.getAddress().getPort() + "/";
            RestBackend.Options o = new RestBackend.Options(2, Duration.ofSeconds(5), 0, null);
            for (String kind : List.of("chunked", "ignored")) {
                RestBackend b = new RestBackend(base + kind, o);
                byte[] dst = new byte[5010];
                b.read(FileType.PACK, id, 1000, dst, 10, 5000);
                assertThat(java.util.Arrays.copyOfRange(dst, 10, 5010)).as(kind).isEqualTo(java.util.Arrays.copyOfRange(pack, 1000, 6000));
                byte[] tail = new byte[100];
                b.readSequential(FileType.PACK, id, pack.length - 100, tail, 0, 100);
                assertThat(tail).as(kind).isEqualTo(java.util.Arrays.copyOfRange(pack, pack.length - 100, pack.length));
            }
            RestBackend b = new RestBackend(base + "toomuch", o);
            assertThatThrownBy(() -> b.read(FileType.PACK, id, 0, new byte[10], 0, 10)).isInstanceOf(IOException.class)
                    .hasMessageContaining("more than");
        } finally {
            http.stop(0);
        }
    }

    /**
     * Reading a pack front to back takes one request, streamed into the caller's buffers; a
     * response that breaks off is asked for again from where the reader is; a step back or a
     * large gap asks again; reading past the end is an error.
     */
    @Test
    void sequentialReadsStreamOneResponseAndResumeABrokenOne() throws Exception {
        byte[] pack = random(3_000_000, 11);
        String id = sha(pack);
        java.util.concurrent.atomic.AtomicInteger gets = new java.util.concurrent.atomic.AtomicInteger();
        List<String> ranges = java.util.Collections.synchronizedList(new ArrayList<>());
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", ex -> {
            int n = gets.incrementAndGet();
            ranges.add(ex.getRequestHeaders().getFirst("Range"));
            String[] fr = ex.getRequestHeaders().getFirst("Range").substring("bytes=".length()).split("-");
            int from = Integer.parseInt(fr[0]);
            int to = Math.min(pack.length - 1, Integer.parseInt(fr[1]));
            ex.sendResponseHeaders(206, to + 1 - from);
            var os = ex.getResponseBody();
            try {
                // The first answer stops after 1 MB, as when a connection drops.
                os.write(pack, from, n == 1 ? 1_000_000 : to + 1 - from);
                os.close();
            } catch (IOException e) {
                // the client left
            } finally {
                ex.close();
            }
        });
        http.start();
        try {
            RestBackend b = new RestBackend("http://127.0.0.1:" + http.getAddress().getPort() + "/r",
                    new RestBackend.Options(2, Duration.ofSeconds(5), 0, null));
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            SplittableRandom sizes = new SplittableRandom(3);
            for (int pos = 0; pos < pack.length; ) {
                int len = Math.min(pack.length - pos, 1 + sizes.nextInt(300_000));
                byte[] dst = new byte[len + 7];
                b.readSequential(FileType.PACK, id, pos, dst, 7, len);
                got.write(dst, 7, len);
                pos += len;
            }
            assertThat(got.toByteArray()).isEqualTo(pack);
            assertThat(gets.get()).as("the broken answer and the one that resumed it").isEqualTo(2);

            byte[] dst = new byte[1000];
            b.readSequential(FileType.PACK, id, 5000, dst, 0, 1000);
            b.readSequential(FileType.PACK, id, 7000, dst, 0, 1000); // a small gap is read through
            assertThat(dst).isEqualTo(java.util.Arrays.copyOfRange(pack, 7000, 8000));
            assertThat(gets.get()).isEqualTo(3);
            b.readSequential(FileType.PACK, id, 2000, dst, 0, 1000); // a step back asks again
            assertThat(dst).isEqualTo(java.util.Arrays.copyOfRange(pack, 2000, 3000));
            b.readSequential(FileType.PACK, id, 2_500_000, dst, 0, 1000); // and so does a large gap
            assertThat(dst).isEqualTo(java.util.Arrays.copyOfRange(pack, 2_500_000, 2_501_000));
            assertThat(gets.get()).isEqualTo(5);
            assertThatThrownBy(() -> b.readSequential(FileType.PACK, id, pack.length - 10, new byte[20], 0, 20))
                    .isInstanceOf(EOFException.class);

            // A reader that says where its reads end (a restore needing part of a pack) gets no more.
            b.readSequential(FileType.PACK, id, 100_000, dst, 0, 1000, 150_000);
            assertThat(ranges.get(ranges.size() - 1)).isEqualTo("bytes=100000-149999");
            b.readSequential(FileType.PACK, id, 149_000, dst, 0, 1000, 150_000);
            assertThat(dst).isEqualTo(java.util.Arrays.copyOfRange(pack, 149_000, 150_000));
            assertThat(gets.get()).isEqualTo(7);
        } finally {
            http.stop(0);
        }
    }
}
